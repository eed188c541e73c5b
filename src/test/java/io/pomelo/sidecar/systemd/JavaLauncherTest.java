package io.pomelo.sidecar.systemd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * systemd/pomelo-sidecar-java, the JVM the unit, the command line and the archive run on: JAVA_HOME's, against
 * stand-in Java homes whose java prints its feature version and then each argument on a line of its own, or else the
 * real /usr/bin/java.
 */
final class JavaLauncherTest {

  private static final Path PROJECT = Path.of(System.getProperty("sidecar.project.dir", "."));
  private static final Path LAUNCHER = PROJECT.resolve("systemd/pomelo-sidecar-java");
  private static final List<String> SERVICE_ARGS = List.of("-XX:SharedArchiveFile=/var/lib/pomelo-sidecar/app.jsa",
    "-Xshare:auto", "-Xmx2g", "-Dname=two words", "-jar", "/usr/share/pomelo-sidecar/pomelo-sidecar.jar", "run");

  @TempDir
  Path jvms;

  @Test
  void javaHome25GetsTheFlagsItNeeds() throws Exception {
    List<String> expected = new ArrayList<>(List.of("25", "--enable-native-access=ALL-UNNAMED",
      "--sun-misc-unsafe-memory-access=allow"));
    expected.addAll(SERVICE_ARGS);
    assertThat(launch(home("temurin-25-jdk-amd64", "25.0.3"), SERVICE_ARGS)).containsExactlyElementsOf(expected);
  }

  @Test
  void javaHome17GetsOnlyNativeAccess() throws Exception {
    List<String> expected = new ArrayList<>(List.of("17", "--enable-native-access=ALL-UNNAMED"));
    expected.addAll(SERVICE_ARGS);
    assertThat(launch(home("java-17-openjdk-amd64", "17.0.15"), SERVICE_ARGS)).containsExactlyElementsOf(expected);
  }

  @Test
  void passesNoArgumentsWhenGivenNone() throws Exception {
    assertThat(launch(home("temurin-25-jdk-amd64", "25.0.3"), List.of())).containsExactly("25",
      "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow");
  }

  @Test
  void withoutJavaHomeItRunsTheAlternativesJava() throws Exception {
    // The real /usr/bin/java (the package depends on one): it reports the home it runs from.
    List<String> out = launch(null, List.of("-XshowSettings:properties", "-version"));
    Path expected = Path.of("/usr/bin/java").toRealPath().getParent().getParent();
    assertThat(out).anySatisfy(line -> assertThat(line.trim()).isEqualTo("java.home = " + expected));
  }

  private Path home(String name, String version) throws IOException {
    Path home = Files.createDirectories(jvms.resolve(name).resolve("bin")).getParent();
    Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"" + version + "\"\n");
    Path java = Files.writeString(home.resolve("bin/java"), "#!/bin/sh\necho " + version.split("\\.")[0]
      + "\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    return home;
  }

  private List<String> launch(Path javaHome, List<String> args) throws Exception {
    List<String> command = new ArrayList<>(List.of("sh", LAUNCHER.toString()));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().remove("JAVA_HOME");
    if (javaHome != null) {
      builder.environment().put("JAVA_HOME", javaHome.toString());
    }
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(out).isZero();
    return out.lines().toList();
  }
}

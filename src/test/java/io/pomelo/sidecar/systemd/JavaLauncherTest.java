package io.pomelo.sidecar.systemd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * systemd/pomelo-sidecar-java, the JVM the unit, the command line and the archive run on, against a directory of
 * stand-in Java homes whose java prints its feature version and then each argument on a line of its own.
 */
final class JavaLauncherTest {

  private static final Path PROJECT = Path.of(System.getProperty("sidecar.project.dir", "."));
  private static final Path LAUNCHER = PROJECT.resolve("systemd/pomelo-sidecar-java");
  private static final List<String> SERVICE_ARGS = List.of("-XX:SharedArchiveFile=/var/lib/pomelo-sidecar/app.jsa",
    "-Xshare:auto", "-Xmx2g", "-Dname=two words", "-jar", "/usr/share/pomelo-sidecar/pomelo-sidecar.jar", "run");

  @TempDir
  Path jvms;

  @BeforeEach
  void homes() throws IOException {
    home("java-17-openjdk-amd64", "17.0.15");
    home("temurin-25-jdk-amd64", "25.0.3");
    home("java-11-openjdk-amd64", "11.0.2");
    // Debian's second name for a JDK, and a directory that is no Java home.
    Files.createSymbolicLink(jvms.resolve("java-1.25.0-link"), jvms.resolve("temurin-25-jdk-amd64"));
    Files.createDirectories(jvms.resolve("openjdk-17").resolve("lib"));
  }

  @Test
  void runsTheNewestJavaWithTheFlagsItNeeds() throws Exception {
    List<String> expected = new ArrayList<>(List.of("25", "--enable-native-access=ALL-UNNAMED",
      "--sun-misc-unsafe-memory-access=allow"));
    expected.addAll(SERVICE_ARGS);
    assertThat(launch(Map.of(), SERVICE_ARGS)).containsExactlyElementsOf(expected);
  }

  @Test
  void javaHomeChoosesByHand() throws Exception {
    Map<String, String> env = Map.of("JAVA_HOME", jvms.resolve("java-17-openjdk-amd64").toString());

    List<String> expected = new ArrayList<>(List.of("17", "--enable-native-access=ALL-UNNAMED"));
    expected.addAll(SERVICE_ARGS);
    assertThat(launch(env, SERVICE_ARGS)).containsExactlyElementsOf(expected);
  }

  @Test
  void passesNoArgumentsWhenGivenNone() throws Exception {
    assertThat(launch(Map.of(), List.of())).containsExactly("25", "--enable-native-access=ALL-UNNAMED",
      "--sun-misc-unsafe-memory-access=allow");
  }

  @Test
  void withNothingFromJava17OnItRunsTheAlternativesJava() throws Exception {
    Files.delete(jvms.resolve("java-1.25.0-link"));
    for (String home : List.of("java-17-openjdk-amd64", "temurin-25-jdk-amd64")) {
      Files.writeString(jvms.resolve(home).resolve("release"), "JAVA_VERSION=\"9\"\n");
    }

    // The real /usr/bin/java (the package depends on one): it reports the home it runs from.
    List<String> out = launch(Map.of(), List.of("-XshowSettings:properties", "-version"));
    Path expected = Path.of("/usr/bin/java").toRealPath().getParent().getParent();
    assertThat(out).anySatisfy(line -> assertThat(line.trim()).isEqualTo("java.home = " + expected));
  }

  private void home(String name, String version) throws IOException {
    Path home = Files.createDirectories(jvms.resolve(name).resolve("bin")).getParent();
    Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"" + version + "\"\n");
    Path java = Files.writeString(home.resolve("bin/java"), "#!/bin/sh\necho " + version.split("\\.")[0]
      + "\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private List<String> launch(Map<String, String> env, List<String> args) throws Exception {
    List<String> command = new ArrayList<>(List.of("sh", LAUNCHER.toString()));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().remove("JAVA_HOME");
    builder.environment().put("POMELO_SIDECAR_JVMS", jvms.toString());
    builder.environment().putAll(env);
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(out).isZero();
    return out.lines().toList();
  }
}

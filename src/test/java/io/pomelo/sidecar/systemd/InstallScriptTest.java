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
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class InstallScriptTest {

  private static final Path PROJECT = Path.of(System.getProperty("sidecar.project.dir", "."));
  private static final Path SCRIPT = PROJECT.resolve("systemd/install.sh");

  @TempDir
  Path work;

  private Path root;
  private Path jar;
  private Path config;

  @BeforeEach
  void inputs() throws IOException {
    root = work.resolve("root");
    jar = Files.writeString(work.resolve("dummy.jar"), "not really a jar");
    // conf/sidecar.yaml is the core's; a placeholder stands in for it here.
    config = Files.writeString(work.resolve("sidecar.yaml"), "# placeholder sidecar.yaml\n");
  }

  @Test
  void placesEveryFileWithItsMode() throws Exception {
    String output = run("--root", root.toString(), "--jar", jar.toString(), "--config", config.toString());

    assertFile("usr/share/pomelo-sidecar/pomelo-sidecar.jar", "rw-r--r--", "not really a jar");
    assertFile("usr/bin/pomelo-sidecar", "rwxr-xr-x", Files.readString(PROJECT.resolve("systemd/pomelo-sidecar")));
    assertFile("usr/share/pomelo-sidecar/java", "rwxr-xr-x",
      Files.readString(PROJECT.resolve("systemd/pomelo-sidecar-java")));
    assertFile("etc/pomelo-sidecar/sidecar.yaml", "rw-r-----", "# placeholder sidecar.yaml\n");
    assertFile("etc/pomelo-sidecar/servers.json.sample", "rw-r--r--",
      Files.readString(PROJECT.resolve("systemd/servers.json.sample")));
    assertFile("etc/default/pomelo-sidecar", "rw-r--r--",
      Files.readString(PROJECT.resolve("systemd/pomelo-sidecar.default")));
    assertFile("etc/systemd/system/pomelo-sidecar.service", "rw-r--r--",
      Files.readString(PROJECT.resolve("systemd/pomelo-sidecar.service")));
    assertFile("etc/systemd/system/pomelo-sidecar.socket", "rw-r--r--",
      Files.readString(PROJECT.resolve("systemd/pomelo-sidecar.socket")));
    assertThat(mode(root.resolve("usr/share/man/man1/pomelo-sidecar.1.gz"))).isEqualTo("rw-r--r--");
    try (var in = new GZIPInputStream(Files.newInputStream(root.resolve("usr/share/man/man1/pomelo-sidecar.1.gz")))) {
      assertThat(in.readAllBytes()).isEqualTo(Files.readAllBytes(PROJECT.resolve("src/deb/pomelo-sidecar.1")));
    }
    // Generated at process-classes, so there before surefire runs this.
    assertFile("usr/share/bash-completion/completions/pomelo-sidecar", "rw-r--r--",
      Files.readString(PROJECT.resolve("target/deb/bash-completion/pomelo-sidecar")));
    assertThat(mode(root.resolve("etc/pomelo-sidecar"))).isEqualTo("rwxr-x---");
    assertThat(mode(root.resolve("usr/share/pomelo-sidecar"))).isEqualTo("rwxr-xr-x");
    assertThat(root.resolve("opt")).doesNotExist();
    try (var files = Files.walk(root)) {
      assertThat(files.filter(f -> f.getFileName().toString().endsWith(".new"))).isEmpty();
    }

    // Nothing outside the root is touched, and the script says what it left out.
    assertThat(output)
      .contains("skipped under --root: create system user pomelo-sidecar")
      .contains("skipped under --root: systemctl daemon-reload && systemctl enable pomelo-sidecar");
  }

  @Test
  void aSecondRunUpgradesTheProgramAndKeepsTheConfiguration() throws Exception {
    run("--root", root.toString(), "--jar", jar.toString(), "--config", config.toString());
    Path installedConfig = root.resolve("etc/pomelo-sidecar/sidecar.yaml");
    Path installedEnvironment = root.resolve("etc/default/pomelo-sidecar");
    Files.writeString(installedConfig, "# edited by the administrator\n");
    Files.writeString(installedEnvironment, "JAVA_OPTS=-Xmx4g\n");
    Files.writeString(jar, "version 2");

    String output = run("--root", root.toString(), "--jar", jar.toString(), "--config", config.toString());

    assertThat(output).contains("kept existing " + installedConfig);
    assertFile("etc/pomelo-sidecar/sidecar.yaml", "rw-r-----", "# edited by the administrator\n");
    assertFile("etc/default/pomelo-sidecar", "rw-r--r--", "JAVA_OPTS=-Xmx4g\n");
    assertFile("usr/share/pomelo-sidecar/pomelo-sidecar.jar", "rw-r--r--", "version 2");
  }

  @Test
  void anUpgradeRemovesTheJarWhereEarlierVersionsPutIt() throws Exception {
    Path oldJar = Files.createDirectories(root.resolve("opt/pomelo-sidecar")).resolve("pomelo-sidecar.jar");
    Files.writeString(oldJar, "version 1");

    run("--root", root.toString(), "--jar", jar.toString(), "--config", config.toString());

    assertThat(root.resolve("opt/pomelo-sidecar")).doesNotExist();
    assertFile("usr/share/pomelo-sidecar/pomelo-sidecar.jar", "rw-r--r--", "not really a jar");
  }

  @Test
  void uninstallRemovesTheProgramAndKeepsTheConfiguration() throws Exception {
    run("--root", root.toString(), "--jar", jar.toString(), "--config", config.toString());

    run("--uninstall", "--root", root.toString());

    assertThat(root.resolve("usr/share/pomelo-sidecar")).doesNotExist();
    assertThat(root.resolve("usr/bin/pomelo-sidecar")).doesNotExist();
    assertThat(root.resolve("etc/systemd/system/pomelo-sidecar.service")).doesNotExist();
    assertThat(root.resolve("etc/systemd/system/pomelo-sidecar.socket")).doesNotExist();
    assertThat(root.resolve("usr/share/man/man1/pomelo-sidecar.1.gz")).doesNotExist();
    assertThat(root.resolve("usr/share/bash-completion/completions/pomelo-sidecar")).doesNotExist();
    assertThat(root.resolve("etc/pomelo-sidecar/sidecar.yaml")).exists();
    assertThat(root.resolve("etc/default/pomelo-sidecar")).exists();

    // Uninstalling again finds nothing to do and still succeeds.
    run("--uninstall", "--root", root.toString());
  }

  @Test
  void purgeAlsoRemovesConfigurationAndState() throws Exception {
    run("--root", root.toString(), "--jar", jar.toString(), "--config", config.toString());
    Files.createDirectories(root.resolve("var/lib/pomelo-sidecar"));

    String output = run("--purge", "--root", root.toString());

    assertThat(root.resolve("etc/pomelo-sidecar")).doesNotExist();
    assertThat(root.resolve("etc/default/pomelo-sidecar")).doesNotExist();
    assertThat(root.resolve("var/lib/pomelo-sidecar")).doesNotExist();
    assertThat(root.resolve("usr/share/pomelo-sidecar")).doesNotExist();
    assertThat(root.resolve("usr/bin/pomelo-sidecar")).doesNotExist();
    assertThat(output).contains("skipped under --root: userdel pomelo-sidecar");
  }

  @Test
  void refusesToInstallWithoutAJar() throws Exception {
    Result result = runRaw("--root", root.toString(), "--jar", work.resolve("absent.jar").toString(),
      "--config", config.toString());
    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.output()).contains("no jar at");
    assertThat(root.resolve("etc")).doesNotExist();
  }

  private void assertFile(String relative, String mode, String content) throws IOException {
    Path file = root.resolve(relative);
    assertThat(file).as(relative).isRegularFile();
    assertThat(mode(file)).as("mode of %s", relative).isEqualTo(mode);
    assertThat(Files.readString(file)).as("content of %s", relative).isEqualTo(content);
  }

  private static String mode(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }

  private record Result(int exitCode, String output) { }

  private String run(String... args) throws Exception {
    Result result = runRaw(args);
    assertThat(result.exitCode()).as("install.sh exit code; output:%n%s", result.output()).isZero();
    return result.output();
  }

  private Result runRaw(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("install.sh finished").isTrue();
    return new Result(process.exitValue(), output);
  }
}

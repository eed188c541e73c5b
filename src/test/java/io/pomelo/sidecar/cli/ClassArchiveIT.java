package io.pomelo.sidecar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code class-archive} on the built jar: the archive it makes is one the JVM uses; a stale one only warns. */
final class ClassArchiveIT {

  private static final Path PROJECT = Path.of(System.getProperty("sidecar.project.dir", "."));
  private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

  @TempDir
  Path dir;

  @Test
  void makesAnArchiveTheJvmUsesAndToleratesAStaleOne() throws Exception {
    Path jar = PROJECT.resolve("target/pomelo-sidecar.jar").toAbsolutePath();
    Path archive = dir.resolve("state/app.jsa");

    Result made = java("-jar", jar.toString(), "class-archive", archive.toString());

    assertThat(made.code()).as(made.output()).isZero();
    assertThat(made.output()).contains("made " + archive);
    assertThat(dir.resolve("state")).isDirectoryNotContaining(p -> p.toString().endsWith(".new"));
    // -Xshare:on refuses to start when the archive cannot be used.
    Result used = java("-XX:SharedArchiveFile=" + archive, "-Xshare:on", "-Xlog:class+load", "-jar", jar.toString(),
      "--version");
    assertThat(used.code()).as(used.output()).isZero();
    assertThat(used.output()).contains("io.pomelo.sidecar.cli.Main source: shared objects file (top)");

    // Another jar (an upgrade) makes it stale: one warning, and the start goes on without it.
    Path otherJar = Files.copy(jar, dir.resolve("pomelo-sidecar.jar"));
    Result stale = java("-XX:SharedArchiveFile=" + archive, "-Xshare:auto", "-jar", otherJar.toString(), "--version");
    assertThat(stale.code()).as(stale.output()).isZero();
    assertThat(stale.output()).contains("pomelo-sidecar ", "Unable to use shared archive");
  }

  private record Result(int code, String output) {
  }

  private static Result java(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(JAVA));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
    return new Result(process.exitValue(), output);
  }
}

package io.pomelo.sidecar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code class-archive}: the training run in this JVM; the archive itself needs the jar (PackageContentsIT). */
final class ClassArchiveCommandTest {

  @TempDir
  Path dir;

  @Test
  void theTrainingRunStartsProxiesAndStops() {
    Run run = run("class-archive", "--training-run");

    assertThat(run.code()).as(run.err()).isZero();
  }

  @Test
  void fromClassesItRefusesAndLeavesTheFileAlone() throws Exception {
    Path archive = Files.writeString(dir.resolve("app.jsa"), "old");

    Run run = run("class-archive", archive.toString());

    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err()).contains("runs only from pomelo-sidecar.jar");
    assertThat(Files.readString(archive)).isEqualTo("old");
  }

  @Test
  void theFileIsRequired() {
    Run run = run("class-archive");

    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err()).contains("Missing required parameter: 'FILE'");
  }

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  private record Run(int code, String out, String err) {
  }
}

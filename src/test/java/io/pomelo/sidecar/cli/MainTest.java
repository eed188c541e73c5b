package io.pomelo.sidecar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The top-level command line: which subcommands it builds, and that help still lists them all. */
final class MainTest {

  @Test
  void everySubcommandIsListedUnderTheNameItsAnnotationGives() {
    CommandLine all = Main.commandLine();

    assertThat(all.getSubcommands().keySet())
      .containsExactly("run", "check", "routes", "export-nginx", "class-archive", "help");
    all.getSubcommands().forEach((name, sub) -> assertThat(sub.getCommandName()).isEqualTo(name));
  }

  @Test
  void aNamedSubcommandIsTheOnlyOneBuilt() {
    assertThat(Main.commandLine(new String[] {"check", "--config", "x.yaml"}).getSubcommands().keySet())
      .containsExactly("check");
  }

  @Test
  void helpAndUnknownCommandsSeeEverySubcommand() {
    assertThat(Main.commandLine(new String[] {"help", "run"}).getSubcommands()).hasSize(6);
    StringWriter err = new StringWriter();
    CommandLine line = Main.commandLine(new String[] {"rnu"}).setErr(new PrintWriter(err));

    assertThat(line.execute("rnu")).isEqualTo(2);
    assertThat(err.toString()).contains("rnu").contains("run").contains("export-nginx");
  }

  @Test
  void aSubcommandsOwnHelpWorksWhenOnlyItIsBuilt() {
    StringWriter out = new StringWriter();
    CommandLine line = Main.commandLine(new String[] {"routes", "--help"}).setOut(new PrintWriter(out));

    assertThat(line.execute("routes", "--help")).isZero();
    assertThat(out.toString()).contains("Usage: pomelo-sidecar routes");
  }
}

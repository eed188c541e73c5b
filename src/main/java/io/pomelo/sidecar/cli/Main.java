package io.pomelo.sidecar.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar pomelo-sidecar.jar <command>}. */
@Command(name = "pomelo-sidecar", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
  description = "One TLS port in front of every Pomelo frontend server, configured from Pomelo's servers.json.",
  subcommands = {RunCommand.class, CheckCommand.class, RoutesCommand.class, ExportNginxCommand.class,
    ClassArchiveCommand.class, CommandLine.HelpCommand.class})
public final class Main {

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return new CommandLine(new Main()).setUsageHelpAutoWidth(true);
  }
}

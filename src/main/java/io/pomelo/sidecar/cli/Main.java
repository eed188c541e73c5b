package io.pomelo.sidecar.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar pomelo-sidecar.jar <command>}. */
@Command(name = "pomelo-sidecar", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
  description = "One TLS port in front of every Pomelo frontend server, configured from Pomelo's servers.json.")
public final class Main {

  /**
   * The subcommands, by the names their {@code @Command} gives them (CliTest holds the two together). Listed here
   * instead of in {@code @Command(subcommands = ...)} so that only the one being run is built, as picocli's
   * reflection over every command is a measurable share of a start (bench/RESULTS.md).
   */
  private static final Map<String, Supplier<Object>> COMMANDS = new LinkedHashMap<>();

  static {
    COMMANDS.put("run", RunCommand::new);
    COMMANDS.put("check", CheckCommand::new);
    COMMANDS.put("routes", RoutesCommand::new);
    COMMANDS.put("export-nginx", ExportNginxCommand::new);
    COMMANDS.put("class-archive", ClassArchiveCommand::new);
    COMMANDS.put("help", CommandLine.HelpCommand::new);
  }

  public static void main(String[] args) {
    // Netty 4.2's allocator JFR events slow every start for events nobody records unless asked
    // (-Dio.netty.jfr.enabled=true turns them back on).
    if (System.getProperty("io.netty.jfr.enabled") == null) {
      System.setProperty("io.netty.jfr.enabled", "false");
    }
    System.exit(commandLine(args).execute(args));
  }

  /** Every subcommand: for tests and for help. */
  static CommandLine commandLine() {
    return commandLine(new String[0]);
  }

  /**
   * The command line for {@code args}: with only the subcommand that {@code args} starts with when it names one
   * (its own {@code --help} still works), else with all of them, for the top-level usage, {@code help} and the error
   * that names an unknown command.
   */
  static CommandLine commandLine(String[] args) {
    CommandLine line = new CommandLine(new Main());
    Supplier<Object> only = args.length > 0 && !"help".equals(args[0]) ? COMMANDS.get(args[0]) : null;
    for (Supplier<Object> command : COMMANDS.values()) {
      if (only == null || command == only) {
        line.addSubcommand(command.get());
      }
    }
    return line.setUsageHelpAutoWidth(true);
  }
}

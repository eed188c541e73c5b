package io.pomelo.sidecar.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.AutoComplete;

/**
 * Writes the bash completion script, which picocli generates from the command definition; the build runs it at
 * process-classes and the package installs the result. picocli's own {@code AutoComplete} main cannot do this: it
 * builds the command from {@code Main}'s class, and Main adds its subcommands in {@link Main#commandLine()}, not in
 * its annotation.
 */
final class CompletionScript {

  static final String COMMAND = "pomelo-sidecar";

  private CompletionScript() {
  }

  /** {@code CompletionScript FILE}. */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: CompletionScript FILE");
      System.exit(2);
    }
    write(Path.of(args[0]));
  }

  static void write(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    String script = AutoComplete.bash(COMMAND, Main.commandLine());
    // bash-completion sources the file, it never runs it: Debian wants no #! line (lintian's
    // bash-completion-with-hashbang), and picocli's script, written to be run too, starts with one.
    if (script.startsWith("#!")) {
      script = script.substring(script.indexOf('\n') + 1);
    }
    Files.writeString(file, script);
  }
}

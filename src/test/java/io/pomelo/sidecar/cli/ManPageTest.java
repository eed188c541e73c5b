package io.pomelo.sidecar.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * pomelo-sidecar(1) (src/deb/pomelo-sidecar.1, written by hand) against the command line picocli parses: every
 * command has its subsection under COMMANDS, every option and parameter it has is named there, and the page names
 * no command or option that does not exist. So the page cannot drift from the CLI. Hidden options are internal
 * (class-archive's training run) and stay out of it.
 */
final class ManPageTest {

  private static final Path PAGE =
    Path.of(System.getProperty("sidecar.project.dir", ".")).resolve("src/deb/pomelo-sidecar.1");

  @Test
  void everyCommandHasItsSubsectionAndNoOtherIsDescribed() throws Exception {
    Map<String, String> described = commandSubsections();

    assertThat(described.keySet()).containsExactlyInAnyOrderElementsOf(Main.commandLine().getSubcommands().keySet());
  }

  @Test
  void everyOptionAndParameterOfACommandIsNamedInItsSubsection() throws Exception {
    Map<String, String> described = commandSubsections();
    String preamble = section("COMMANDS").split("(?m)^\\.SS ", 2)[0];

    Main.commandLine().getSubcommands().forEach((name, command) -> {
      CommandSpec spec = command.getCommandSpec();
      String text = described.get(name);
      for (OptionSpec option : spec.options()) {
        if (option.hidden()) {
          continue;
        }
        for (String optionName : option.names()) {
          // --help and --version of every command are said once, before the commands.
          boolean everywhere = (option.usageHelp() || option.versionHelp()) && names(preamble, optionName);
          assertThat(everywhere || names(text, optionName)).as("%s %s in pomelo-sidecar(1)", name, optionName)
            .isTrue();
        }
      }
      for (PositionalParamSpec parameter : spec.positionalParameters()) {
        if (!parameter.hidden()) {
          assertThat(names(text, parameter.paramLabel())).as("%s %s in pomelo-sidecar(1)", name,
            parameter.paramLabel()).isTrue();
        }
      }
    });
  }

  @Test
  void describesNoOptionACommandDoesNotHave() throws Exception {
    Map<String, CommandLine> commands = Main.commandLine().getSubcommands();
    commandSubsections().forEach((name, text) -> {
      if (!commands.containsKey(name)) {
        return; // the first test names it
      }
      List<String> known = commands.get(name).getCommandSpec().options().stream()
        .filter(o -> !o.hidden()).flatMap(o -> Stream.of(o.names())).toList();
      assertThat(optionTags(text)).as("the options pomelo-sidecar(1) describes for %s", name)
        .isSubsetOf(known);
    });
  }

  @Test
  void theTopLevelOptionsAreUnderOptions() throws Exception {
    String options = section("OPTIONS");
    List<String> known = Main.commandLine().getCommandSpec().options().stream()
      .flatMap(o -> Stream.of(o.names())).toList();

    for (String name : known) {
      assertThat(names(options, name)).as("%s in OPTIONS", name).isTrue();
    }
    assertThat(optionTags(options)).isSubsetOf(known);
  }

  /** What lintian's groff check does (its manpages check): any warning from man would be a lintian warning. */
  @Test
  void rendersWithoutAWarning() throws Exception {
    assumeTrue(onPath("man"), "man-db is not installed");
    ProcessBuilder man = new ProcessBuilder("man", "--warnings", "-E", "UTF-8", "-l", "-Tutf8", "-Z", PAGE.toString())
      .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    man.environment().putAll(Map.of("LC_ALL", "C.UTF-8", "MANROFFSEQ", "", "MANWIDTH", "80"));
    Process process = man.start();
    process.getOutputStream().close();
    String warnings = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("man finished").isTrue();
    assertThat(warnings).as("man --warnings on %s", PAGE).isEmpty();
    assertThat(process.exitValue()).isZero();
  }

  /** The subsections of COMMANDS by their title, each as plain text. */
  private static Map<String, String> commandSubsections() throws Exception {
    Map<String, String> subsections = new LinkedHashMap<>();
    String[] parts = section("COMMANDS").split("(?m)^\\.SS ");
    for (int i = 1; i < parts.length; i++) {
      String[] titleAndBody = parts[i].split("\n", 2);
      subsections.put(titleAndBody[0].strip(), titleAndBody.length > 1 ? titleAndBody[1] : "");
    }
    return subsections;
  }

  /** One .SH section, without its title line, as plain text. */
  private static String section(String title) throws Exception {
    String[] sections = plain(Files.readString(PAGE)).split("(?m)^\\.SH ");
    for (String section : sections) {
      String[] titleAndBody = section.split("\n", 2);
      if (titleAndBody[0].strip().replace("\"", "").equals(title)) {
        return titleAndBody[1];
      }
    }
    throw new AssertionError("pomelo-sidecar(1) has no section " + title);
  }

  /** The roff escapes this page uses, taken out: a minus is a hyphen, font changes and joins are nothing. */
  private static String plain(String roff) {
    return roff.replace("\\-", "-").replaceAll("\\\\f[BIRP]", "").replace("\\c", "").replace("\\&", "");
  }

  /** Whether {@code text} has {@code word} as a whole word (so --env is not found in --envelope). */
  private static boolean names(String text, String word) {
    return Pattern.compile("(?<![\\w-])" + Pattern.quote(word) + "(?![\\w-])").matcher(text).find();
  }

  /** The options a .TP paragraph describes: its tag line, when that starts with a dash. */
  private static List<String> optionTags(String text) {
    List<String> tags = new ArrayList<>();
    String[] lines = text.split("\n");
    for (int i = 0; i + 1 < lines.length; i++) {
      if (lines[i].equals(".TP")) {
        String tag = lines[i + 1].replaceFirst("^\\.[BIR]{1,2} ", "").replace("\"", " ");
        for (String word : tag.split("[ ,]+")) {
          if (word.startsWith("-")) {
            tags.add(word);
          }
        }
      }
    }
    return tags;
  }

  private static boolean onPath(String command) {
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
      .anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
  }
}

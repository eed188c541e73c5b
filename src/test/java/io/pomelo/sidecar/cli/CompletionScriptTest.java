package io.pomelo.sidecar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bash completion script as bash uses it: sourced, then its completion function called with the words typed
 * so far, as bash-completion calls it on TAB.
 */
final class CompletionScriptTest {

  @TempDir
  Path dir;

  private Path script;

  @BeforeEach
  void writeTheScript() throws Exception {
    script = dir.resolve("pomelo-sidecar");
    CompletionScript.write(script);
  }

  @Test
  void offersEveryCommandAfterTheProgramName() throws Exception {
    assertThat(complete("pomelo-sidecar", ""))
      .containsExactlyInAnyOrderElementsOf(Main.commandLine().getSubcommands().keySet());
    assertThat(complete("pomelo-sidecar", "ex")).containsExactly("export-nginx");
  }

  @Test
  void offersTheOptionsOfTheCommandTypedAndNoHiddenOne() throws Exception {
    assertThat(complete("pomelo-sidecar", "routes", "--"))
      .contains("--admin", "--token", "--server-type", "--json", "--help", "--version")
      .doesNotContain("--config");
    assertThat(complete("pomelo-sidecar", "check", "--c")).containsExactly("--config");
    assertThat(complete("pomelo-sidecar", "class-archive", "--")).doesNotContain("--training-run");
  }

  @Test
  void isSourcedNotRunAndRegistersTheInstalledCommand() throws Exception {
    String text = Files.readString(script);

    assertThat(text).doesNotStartWith("#!");
    assertThat(text).containsPattern("(?m)^complete -F _complete_pomelo-sidecar .*\\bpomelo-sidecar\\b");
  }

  /** What bash would offer for the last of {@code words}, the one the cursor is on. */
  private List<String> complete(String... words) throws Exception {
    StringBuilder array = new StringBuilder();
    for (String word : words) {
      array.append(" '").append(word).append('\'');
    }
    String line = String.join(" ", words);
    // compopt changes the options of the completion bash is running, so outside one it fails: a no-op here.
    String program = "compopt() { :; }; source \"$1\"; COMP_WORDS=(" + array + "); COMP_CWORD=" + (words.length - 1)
      + "; COMP_LINE='" + line + "'; COMP_POINT=${#COMP_LINE}; _complete_pomelo-sidecar; "
      + "printf '%s\\n' \"${COMPREPLY[@]}\"";
    Process bash = new ProcessBuilder("bash", "-c", program, "bash", script.toString()).start();
    bash.getOutputStream().close();
    String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(bash.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(bash.waitFor(30, TimeUnit.SECONDS)).as("bash finished").isTrue();
    assertThat(err).as("bash's standard error").isEmpty();
    return out.lines().filter(l -> !l.isEmpty()).toList();
  }
}

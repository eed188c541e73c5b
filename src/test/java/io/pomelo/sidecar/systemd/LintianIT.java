package io.pomelo.sidecar.systemd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Debian package checked by Debian's own lintian: no error, and no warning that src/deb/lintian-overrides does
 * not name with its reason. Run by failsafe after {@code package}; scripts/verify installs lintian.
 */
final class LintianIT {

  @Test
  void findsNoErrorAndNoWarningWithoutAReason() throws Exception {
    String path = System.getProperty("sidecar.deb");
    assumeTrue(path != null, "the .deb is built at package; failsafe runs this test after it");
    Path deb = Path.of(path);
    assertThat(deb).as("the package that jdeb builds").isRegularFile();

    // Info tags too, for the two that say an override no longer matches what it was written for.
    Process process = new ProcessBuilder("lintian", "--fail-on", "error,warning", "--display-info",
      "--tag-display-limit", "0", deb.toString())
      .redirectError(ProcessBuilder.Redirect.DISCARD)
      .start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("lintian finished").isTrue();

    List<String> tags = output.lines().filter(line -> line.matches("^[EWI]: .*")).toList();
    assertThat(tags).as("lintian's errors and warnings on %s", deb.getFileName())
      .noneMatch(line -> line.startsWith("E: ") || line.startsWith("W: "));
    assertThat(tags).as("overrides that match nothing: remove them or fix their context")
      .noneMatch(line -> line.contains(" unused-override ") || line.contains(" mismatched-override "));
    assertThat(process.exitValue()).as("lintian --fail-on error,warning; output:%n%s", output).isZero();
  }
}

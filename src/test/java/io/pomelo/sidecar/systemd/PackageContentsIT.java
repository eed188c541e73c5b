package io.pomelo.sidecar.systemd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Debian package as dpkg sees it. Run by failsafe after {@code package}, which builds it; when surefire picks
 * it up (a -Dtest filter), there is no package yet and it is skipped.
 */
final class PackageContentsIT {

  private static final Path PROJECT = Path.of(System.getProperty("sidecar.project.dir", "."));

  @TempDir
  Path work;

  private Path deb;

  @BeforeEach
  void findThePackage() {
    String path = System.getProperty("sidecar.deb");
    assumeTrue(path != null, "the .deb is built at package; failsafe runs this test after it");
    deb = Path.of(path);
    assertThat(deb).as("the package that jdeb builds").isRegularFile();
  }

  @Test
  void listsEveryFileWhereAndHowDebianWantsIt() throws Exception {
    String listing = dpkgDeb("-c", deb.toString());

    assertThat(listing)
      .containsPattern("(?m)^-rw-r--r-- root/root .* \\./usr/share/pomelo-sidecar/pomelo-sidecar\\.jar$");
    assertThat(listing).containsPattern("(?m)^-rwxr-xr-x root/root .* \\./usr/bin/pomelo-sidecar$");
    assertThat(listing).containsPattern("(?m)^-rwxr-xr-x root/root .* \\./usr/share/pomelo-sidecar/java$");
    assertThat(listing).containsPattern("(?m)^-rw-r--r-- root/root .* \\./usr/share/doc/pomelo-sidecar/copyright$");
    assertThat(listing).containsPattern("(?m)^-rw-r--r-- root/root .* \\./usr/share/doc/pomelo-sidecar/changelog\\.gz$");
    assertThat(listing)
      .containsPattern("(?m)^-rw-r--r-- root/root .* \\./usr/share/man/man1/pomelo-sidecar\\.1\\.gz$");
    assertThat(listing)
      .containsPattern("(?m)^-rw-r--r-- root/root .* \\./usr/share/bash-completion/completions/pomelo-sidecar$");
    assertThat(listing)
      .containsPattern("(?m)^-rw-r--r-- root/root .* \\./usr/share/lintian/overrides/pomelo-sidecar$");
    assertThat(listing).doesNotContain("./opt/");
    assertThat(listing)
      .containsPattern("(?m)^-rw-r--r-- root/root .* \\./lib/systemd/system/pomelo-sidecar\\.service$");
    assertThat(listing).containsPattern("(?m)^-rw-r--r-- root/root .* \\./etc/default/pomelo-sidecar$");
    assertThat(listing).containsPattern("(?m)^-rw-r--r-- root/root .* \\./etc/pomelo-sidecar/servers\\.json\\.sample$");
    if (Files.exists(PROJECT.resolve("conf/sidecar.yaml"))) {
      assertThat(listing).containsPattern("(?m)^-rw-r----- root/root .* \\./etc/pomelo-sidecar/sidecar\\.yaml$");
    }
  }

  @Test
  void shipsTheFilesOfThisBuild() throws Exception {
    Path tree = unpacked();

    assertSameBytes(tree.resolve("usr/share/pomelo-sidecar/pomelo-sidecar.jar"),
      PROJECT.resolve("target/pomelo-sidecar.jar"));
    assertSameBytes(tree.resolve("usr/bin/pomelo-sidecar"), PROJECT.resolve("systemd/pomelo-sidecar"));
    assertSameBytes(tree.resolve("usr/share/pomelo-sidecar/java"), PROJECT.resolve("systemd/pomelo-sidecar-java"));
    assertSameBytes(tree.resolve("usr/share/doc/pomelo-sidecar/copyright"), PROJECT.resolve("src/deb/copyright"));
    assertSameBytes(tree.resolve("usr/share/lintian/overrides/pomelo-sidecar"),
      PROJECT.resolve("src/deb/lintian-overrides"));
    assertSameBytes(tree.resolve("lib/systemd/system/pomelo-sidecar.service"),
      PROJECT.resolve("systemd/pomelo-sidecar.service"));
    assertSameBytes(tree.resolve("lib/systemd/system/pomelo-sidecar.socket"),
      PROJECT.resolve("systemd/pomelo-sidecar.socket"));
    assertSameBytes(tree.resolve("etc/default/pomelo-sidecar"), PROJECT.resolve("systemd/pomelo-sidecar.default"));
    assertSameBytes(tree.resolve("etc/pomelo-sidecar/servers.json.sample"),
      PROJECT.resolve("systemd/servers.json.sample"));
    assertSameBytes(tree.resolve("usr/share/bash-completion/completions/pomelo-sidecar"),
      PROJECT.resolve("target/deb/bash-completion/pomelo-sidecar"));
  }

  @Test
  void itsManualPageIsTheOneInSrcDebCompressedAsDebianWants() throws Exception {
    Path tree = unpacked();

    assertThat(gunzipOfGzip9n(tree.resolve("usr/share/man/man1/pomelo-sidecar.1.gz")))
      .isEqualTo(Files.readAllBytes(PROJECT.resolve("src/deb/pomelo-sidecar.1")));
    assertThat(Files.readAllLines(PROJECT.resolve("src/deb/pomelo-sidecar.1")))
      .as("a new version goes in the .TH line of src/deb/pomelo-sidecar.1 too")
      .anyMatch(line -> line.startsWith(".TH ")
        && line.contains("\"pomelo-sidecar " + System.getProperty("sidecar.version") + "\""));
  }

  @Test
  void itsChangelogIsCompressedAsDebianWantsAndStartsAtThisVersion() throws Exception {
    Path tree = unpacked();
    assertThat(gunzipOfGzip9n(tree.resolve("usr/share/doc/pomelo-sidecar/changelog.gz")))
      .isEqualTo(Files.readAllBytes(PROJECT.resolve("src/deb/changelog")));
    String first = Files.readAllLines(PROJECT.resolve("src/deb/changelog")).get(0);
    assertThat(first).as("a new version needs its entry in src/deb/changelog")
      .startsWith("pomelo-sidecar (" + System.getProperty("sidecar.version") + ") ");
  }

  @Test
  void declaresWhatItIsAndWhatItNeeds() throws Exception {
    assertThat(field("Package")).isEqualTo("pomelo-sidecar");
    assertThat(field("Version")).isEqualTo(System.getProperty("sidecar.version"));
    assertThat(field("Architecture")).isEqualTo("all");
    assertThat(field("Depends"))
      .isEqualTo("default-jre-headless (>= 2:1.17) | java17-runtime-headless, adduser");
    assertThat(dpkgDeb("-I", deb.toString())).contains("postinst", "prerm", "postrm", "conffiles");
  }

  @Test
  void marksTheConfigurationAsConffiles() throws Exception {
    Path control = work.resolve("control");
    dpkgDeb("-e", deb.toString(), control.toString());

    List<String> conffiles = Files.readAllLines(control.resolve("conffiles"));
    List<String> expected = new ArrayList<>(List.of("/etc/pomelo-sidecar/servers.json.sample", "/etc/default/pomelo-sidecar"));
    if (Files.exists(PROJECT.resolve("conf/sidecar.yaml"))) {
      expected.add("/etc/pomelo-sidecar/sidecar.yaml");
    }
    assertThat(conffiles).containsExactlyInAnyOrderElementsOf(expected);

    for (String script : List.of("postinst", "prerm", "postrm")) {
      Path file = control.resolve(script);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).as(script).isEqualTo("rwxr-xr-x");
      assertThat(run("sh", "-n", file.toString())).as("sh -n %s", script).isEmpty();
    }
    assertThat(Files.readString(control.resolve("postinst")))
      .contains("adduser --system", "chmod 0640 \"/etc/$NAME/sidecar.yaml\"", "deb-systemd-helper enable",
        "deb-systemd-invoke try-restart", "/usr/share/$NAME/$NAME.jar");
    // The class-data archive: made at configure time and again when Java changes, removed with the program.
    assertThat(Files.readString(control.resolve("postinst")))
      .contains("class-archive \"/var/lib/$NAME/app.jsa\"", "\"$1\" = \"triggered\"");
    assertThat(Files.readAllLines(control.resolve("triggers"))).contains("interest-noawait /usr/lib/jvm");
    assertThat(Files.readString(control.resolve("postrm"))).contains("rm -f \"/var/lib/$NAME/app.jsa\"");
    assertThat(Files.readString(control.resolve("prerm")))
      .contains("deb-systemd-invoke stop pomelo-sidecar.socket \"$UNIT\"");
    assertThat(Files.readString(control.resolve("postrm"))).contains("\"$1\" = \"purge\"", "deluser --system");
  }

  /** The package's files, as dpkg would install them, under a temporary directory. */
  private Path unpacked() throws Exception {
    Path tree = work.resolve("tree");
    dpkgDeb("-x", deb.toString(), tree.toString());
    return tree;
  }

  /** The content of a file compressed by gzip -9n: FLG has no FNAME, MTIME is 0, XFL 2 means the best compression. */
  private static byte[] gunzipOfGzip9n(Path file) throws IOException {
    byte[] gz = Files.readAllBytes(file);
    assertThat(gz[3] & 0x08).as("gzip FNAME flag of %s", file.getFileName()).isZero();
    assertThat(Arrays.copyOfRange(gz, 4, 8)).as("gzip MTIME of %s", file.getFileName()).containsOnly(0);
    assertThat(gz[8]).as("gzip XFL of %s", file.getFileName()).isEqualTo((byte) 2);
    try (var in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
      return in.readAllBytes();
    }
  }

  private String field(String name) throws Exception {
    return dpkgDeb("--field", deb.toString(), name).strip();
  }

  private static void assertSameBytes(Path actual, Path expected) throws IOException {
    assertThat(actual).as("%s in the package", expected.getFileName()).isRegularFile();
    assertThat(Files.mismatch(actual, expected)).as("%s differs from %s", actual, expected).isEqualTo(-1L);
  }

  private static String dpkgDeb(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("dpkg-deb"));
    command.addAll(Arrays.asList(args));
    return run(command.toArray(String[]::new));
  }

  private static String run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("%s finished", command[0]).isTrue();
    assertThat(process.exitValue()).as("%s exit code; output:%n%s", String.join(" ", command), output).isZero();
    return output;
  }
}

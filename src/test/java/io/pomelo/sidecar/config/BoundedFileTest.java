package io.pomelo.sidecar.config;

import io.pomelo.sidecar.testing.SpecialFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** Only regular files under the limit are read, symlinks followed; everything else is refused without blocking. */
class BoundedFileTest {

  /** Refusals come from a stat, well inside this; a test that opened a FIFO would hang past it. */
  private static final Duration BOUND = Duration.ofSeconds(5);
  private static final BoundedFile ONE_KIB = BoundedFile.limitedBy(ReloadConfig.defaults().withMaxFileSize(1024));

  @TempDir
  Path dir;

  @Test
  void aRegularFileUpToTheLimitIsReadWhole() throws Exception {
    byte[] content = "x".repeat(1024).getBytes(StandardCharsets.US_ASCII);
    Path file = Files.write(dir.resolve("servers.json"), content);
    assertThat(ONE_KIB.read(file, "")).isEqualTo(content);
    assertThat(ONE_KIB.read(Files.writeString(dir.resolve("empty"), ""), "")).isEmpty();
  }

  /** certbot's live/fullchain.pem is a symlink to ../../archive/…/fullchain1.pem; Kubernetes adds another hop. */
  @Test
  void symlinksAreFollowedToTheRegularFile() throws Exception {
    Path archive = Files.createDirectories(dir.resolve("archive"));
    Path real = Files.writeString(archive.resolve("fullchain1.pem"), "pem");
    Path hop = Files.createSymbolicLink(dir.resolve("..data"), Path.of("archive/fullchain1.pem"));
    Path live = Files.createSymbolicLink(dir.resolve("fullchain.pem"), hop);
    assertThat(ONE_KIB.read(live, "tls.certificates[0].certFile")).isEqualTo(Files.readAllBytes(real));
  }

  @Test
  void aFifoIsRefusedWithoutBeingOpened() throws Exception {
    Path fifo = SpecialFiles.fifo(dir.resolve("servers.json"));
    assertThatThrownBy(() -> assertTimeoutPreemptively(BOUND, () -> ONE_KIB.read(fifo, "")))
      .isInstanceOf(ConfigException.class).hasMessage(fifo + ": is a FIFO, not a regular file");
    Path link = Files.createSymbolicLink(dir.resolve("link.json"), fifo);
    assertThatThrownBy(() -> assertTimeoutPreemptively(BOUND, () -> ONE_KIB.read(link, "pomelo.serversFile")))
      .hasMessage(link + ": pomelo.serversFile: leads through a symlink to " + fifo.toRealPath()
        + ", a FIFO, not a regular file");
  }

  @Test
  void aDirectoryASocketAndADeviceAreRefused() throws Exception {
    Path directory = Files.createDirectories(dir.resolve("servers.json"));
    assertThatThrownBy(() -> ONE_KIB.read(directory, ""))
      .hasMessage(directory + ": is a directory, not a regular file");
    Path socket = SpecialFiles.socket(dir.resolve("admin-token"));
    assertThatThrownBy(() -> assertTimeoutPreemptively(BOUND, () -> ONE_KIB.read(socket, "admin.tokenFile")))
      .hasMessage(socket + ": admin.tokenFile: is a socket, not a regular file");
    // /dev/zero never ends: read, it would fill the memory up to the limit and then say so.
    Path zero = Files.createSymbolicLink(dir.resolve("privkey.pem"), Path.of("/dev/zero"));
    assertThatThrownBy(() -> assertTimeoutPreemptively(BOUND, () -> ONE_KIB.read(zero, "")))
      .hasMessage(zero + ": leads through a symlink to /dev/zero, a character device, not a regular file");
    Files.delete(zero);
  }

  @Test
  void aFileOverTheLimitIsRefusedUnreadWithItsSize() throws Exception {
    Path justOver = Files.writeString(dir.resolve("servers.json"), "x".repeat(1025));
    assertThatThrownBy(() -> ONE_KIB.read(justOver, ""))
      .hasMessage(justOver + ": is 1.0 KiB (1025 bytes), over reload.maxFileSize (1 KiB)");
    // Sparse: 12 MiB long at no cost, and read it would be 12 MiB of memory.
    Path huge = dir.resolve("huge.json");
    try (RandomAccessFile file = new RandomAccessFile(huge.toFile(), "rw")) {
      file.setLength(12L << 20);
    }
    assertThatThrownBy(() -> BoundedFile.limitedBy(ReloadConfig.defaults()).read(huge, ""))
      .hasMessage(huge + ": is 12.0 MiB, over reload.maxFileSize (4 MiB)");
    assertThatThrownBy(() -> BoundedFile.configurationFile().read(huge, ""))
      .hasMessage(huge + ": is 12.0 MiB, over the default reload.maxFileSize (4 MiB), which the configuration file "
        + "is held to since it is read before its own settings");
  }

  @Test
  void aMissingFileAndADanglingSymlinkSaySo() throws Exception {
    assertThatThrownBy(() -> ONE_KIB.read(dir.resolve("nope.pem"), "tls.certificates[0].keyFile"))
      .hasMessage(dir.resolve("nope.pem") + ": tls.certificates[0].keyFile: no such file");
    Path dangling = Files.createSymbolicLink(dir.resolve("privkey.pem"), Path.of("../archive/privkey3.pem"));
    assertThatThrownBy(() -> ONE_KIB.read(dangling, ""))
      .hasMessage(dangling + ": is a symlink to ../archive/privkey3.pem, which does not exist");
  }

  /** The check cannot see a FIFO renamed in after it; the deadline ends the open that then blocks. */
  @Test
  void aReadThatHangsIsAbandonedAtTheDeadlineAndHoldsUpNoLaterRead() throws Exception {
    Path fifo = SpecialFiles.fifo(dir.resolve("servers.json"));
    Path good = Files.writeString(dir.resolve("good.json"), "{}");
    try {
      assertThatThrownBy(() -> assertTimeoutPreemptively(BOUND, () ->
        BoundedFile.within(Duration.ofMillis(200), fifo, "", () -> Files.readAllBytes(fifo))))
        .isInstanceOf(ConfigException.class)
        .hasMessage(fifo + ": was not read within 200ms (a FIFO put in its place, or a hung mount?); the read is "
          + "abandoned and later reads do not wait for it");
      assertThat(assertTimeoutPreemptively(BOUND, () -> ONE_KIB.read(good, ""))).isEqualTo("{}".getBytes());
      // While the abandoned read still hangs, the same file is not read again: one thread per stuck file, at most.
      assertThatThrownBy(() -> assertTimeoutPreemptively(BOUND, () ->
        BoundedFile.within(Duration.ofMillis(200), fifo, "", () -> Files.readAllBytes(fifo))))
        .isInstanceOf(ConfigException.class)
        .hasMessage(fifo + ": was not read: an earlier read of it has not returned (a FIFO put in its place, or a "
          + "hung mount?)");
    } finally {
      SpecialFiles.release(fifo);
    }
  }
}

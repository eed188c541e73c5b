package io.pomelo.sidecar.systemd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Whether standard error goes to systemd's journal. systemd sets JOURNAL_STREAM to the device and inode of the
 * stream it connected; a process started from a shell inside a service inherits the variable with another stderr,
 * so, as systemd.exec(5) advises, the variable counts only when it names the stream we actually have.
 */
final class JournalStream {

  /** On Linux, stat() follows this link to the very socket or file behind file descriptor 2. */
  static final Path STDERR = Path.of("/proc/self/fd/2");

  private JournalStream() {
  }

  static boolean connected(Map<String, String> env, Path stderr) {
    String journalStream = env.get("JOURNAL_STREAM");
    if (journalStream == null || journalStream.isEmpty()) {
      return false;
    }
    try {
      Object device = Files.getAttribute(stderr, "unix:dev");
      Object inode = Files.getAttribute(stderr, "unix:ino");
      return journalStream.equals(device + ":" + inode);
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      // No way to compare (no /proc, or no unix attribute view): believe the variable.
      return true;
    }
  }
}

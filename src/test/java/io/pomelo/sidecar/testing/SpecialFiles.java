package io.pomelo.sidecar.testing;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/** Files that are not regular files, made for real where a test expects a servers.json or a certificate. */
public final class SpecialFiles {

  private SpecialFiles() {
  }

  /** A FIFO at {@code path} (Java has no mkfifo): opening it to read blocks until a writer comes. */
  public static Path fifo(Path path) throws IOException, InterruptedException {
    Files.deleteIfExists(path);
    Process mkfifo = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
    if (!mkfifo.waitFor(Await.SECONDS, TimeUnit.SECONDS) || mkfifo.exitValue() != 0) {
      throw new IOException("mkfifo " + path + " failed");
    }
    return path;
  }

  /** A Unix domain socket file at {@code path}; it stays after its listener is closed. */
  public static Path socket(Path path) throws IOException {
    Files.deleteIfExists(path);
    try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      listener.bind(UnixDomainSocketAddress.of(path));
    }
    return path;
  }

  /**
   * Lets a read blocked in opening the FIFO go on (and end, at end of file): a test that made one hang cleans up
   * after itself. Opening to write blocks too until there is a reader, so this is for a FIFO known to have one.
   */
  public static void release(Path fifo) throws IOException {
    Files.newOutputStream(fifo, StandardOpenOption.WRITE).close();
  }
}

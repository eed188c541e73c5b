package io.pomelo.sidecar.e2e;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.pomelo.sidecar.testing.Await.until;
import static org.assertj.core.api.Assertions.assertThat;

/** A real HAProxy (Debian's package) run as a child process on a generated configuration, checked before it starts. */
final class Haproxy implements AutoCloseable {

  private static final List<String> PLACES = List.of("/usr/sbin/haproxy", "/usr/local/sbin/haproxy",
    "/usr/local/bin/haproxy", "/opt/homebrew/bin/haproxy");

  private final Process process;

  private Haproxy(Process process) {
    this.process = process;
  }

  /** Checks {@code config} with {@code haproxy -c}, starts it in the foreground, and waits until it listens on {@code port}. */
  static Haproxy start(Path workDir, String config, int port) throws Exception {
    Path file = workDir.resolve("haproxy-" + port + ".cfg");
    Files.writeString(file, config);
    Path checkLog = workDir.resolve("haproxy-" + port + "-c.log");
    Process check = new ProcessBuilder(binary(), "-c", "-f", file.toString())
      .redirectErrorStream(true).redirectOutput(checkLog.toFile()).start();
    assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(check.exitValue()).as("haproxy -c said:%n%s", Files.readString(checkLog)).isZero();
    Haproxy haproxy = new Haproxy(new ProcessBuilder(binary(), "-f", file.toString(), "-db")
      .redirectErrorStream(true).redirectOutput(workDir.resolve("haproxy-" + port + ".log").toFile()).start());
    until("HAProxy listens on " + port, () -> haproxy.process.isAlive() && accepts(port));
    return haproxy;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** HAProxy is required, not optional: scripts/verify installs it, and a missing one fails here, saying so. */
  private static String binary() {
    return PLACES.stream().filter(p -> Files.isExecutable(Path.of(p))).findFirst()
      .orElseThrow(() -> new AssertionError("haproxy not found in " + PLACES
        + ": install it (apt-get install haproxy; scripts/verify does)"));
  }
}

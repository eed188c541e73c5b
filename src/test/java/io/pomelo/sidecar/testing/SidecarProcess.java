package io.pomelo.sidecar.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The sidecar as an operator runs it: its own JVM running {@code cli.Main}, with the product's classpath only (so
 * its logging is the product's, not the tests'), its own working directory and environment, real signals.
 */
public final class SidecarProcess implements AutoCloseable {

  /** The start's announcement on 127.0.0.1: group 1 the public port, group 2 the admin port. */
  public static final Pattern LISTENING =
    Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+) \\(TLS[^)]*\\), admin API on http://127\\.0\\.0\\.1:(\\d+)");

  private final Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final List<String> all = new CopyOnWriteArrayList<>();

  private SidecarProcess(Process process) {
    this.process = process;
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          lines.add(line);
          all.add(line);
        }
      } catch (IOException e) {
        // the process ended
      }
    }, "sidecar-process-output");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * @param jvmArgs {@code -D} options, such as {@code -Dpomelo-sidecar.listen.port=0}
   * @param args    the command line after the jar, such as {@code run --dev}
   */
  public static SidecarProcess start(Path workDir, Map<String, String> env, List<String> jvmArgs, String... args)
    throws IOException {
    return start(workDir, env, List.of(), jvmArgs, args);
  }

  /**
   * @param launcher a command the JVM's command line is appended to, which starts it (a stand-in for systemd's
   *                 socket activation, say); empty: the JVM itself
   */
  public static SidecarProcess start(Path workDir, Map<String, String> env, List<String> launcher,
                                     List<String> jvmArgs, String... args) throws IOException {
    String classpath = Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
      .filter(entry -> !entry.endsWith("test-classes"))
      .collect(Collectors.joining(java.io.File.pathSeparator));
    List<String> command = new ArrayList<>(launcher);
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:TieredStopAtLevel=1");
    command.addAll(jvmArgs);
    command.add("-cp");
    command.add(classpath);
    command.add("io.pomelo.sidecar.cli.Main");
    command.addAll(List.of(args));
    Files.createDirectories(workDir);
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
    builder.environment().keySet().removeIf(k -> k.startsWith("POMELO_SIDECAR_") || k.equals("NOTIFY_SOCKET")
      || k.equals("JOURNAL_STREAM") || k.equals("NODE_ENV"));
    builder.environment().putAll(env);
    return new SidecarProcess(builder.start());
  }

  /** Waits for an output line matching {@code pattern}; fails with everything printed so far. */
  public Matcher awaitLine(Pattern pattern, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (line != null) {
        Matcher m = pattern.matcher(line);
        if (m.find()) {
          return m;
        }
      }
    }
    throw new AssertionError("no line matching " + pattern + " within " + timeout + "; output:\n" + output());
  }

  public String output() {
    return String.join("\n", all);
  }

  public long pid() {
    return process.pid();
  }

  /** Sends a signal as systemctl would ({@code HUP} for reload, {@code TERM} for stop). */
  public void signal(String name) throws IOException, InterruptedException {
    int rc = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
    if (rc != 0) {
      throw new IOException("kill -" + name + " failed with " + rc);
    }
  }

  /** The exit code, or fails when the process is still running after {@code timeout}. */
  public int exitCode(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("still running after " + timeout + "; output:\n" + output());
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}

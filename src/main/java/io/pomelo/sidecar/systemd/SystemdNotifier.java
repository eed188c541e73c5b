package io.pomelo.sidecar.systemd;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells systemd how the sidecar is doing over the sd_notify(3) protocol, for a {@code Type=notify} unit: READY once
 * the routes are loaded and the listener is bound, RELOADING then READY around a reload, STOPPING at shutdown, and
 * WATCHDOG pings in between. Outside such a unit (NOTIFY_SOCKET unset) every method does nothing, so callers never
 * need to ask where they run.
 */
public final class SystemdNotifier implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SystemdNotifier.class);

  private final NotifySocket socket;
  private final Duration watchdogInterval;
  private ScheduledFuture<?> watchdog;
  // A ping already handed to a Vert.x context may run after close; it must not log a failed send.
  private volatile boolean closed;

  private SystemdNotifier(NotifySocket socket, Duration watchdogInterval) {
    this.socket = socket;
    this.watchdogInterval = watchdogInterval;
  }

  /** The notifier for this process, from its real environment. */
  public static SystemdNotifier fromEnvironment() {
    return fromEnvironment(System.getenv(), ProcessHandle.current().pid());
  }

  /**
   * The notifier that {@code env} asks for: NOTIFY_SOCKET, and WATCHDOG_USEC / WATCHDOG_PID for the watchdog.
   *
   * @param pid this process's id, compared with WATCHDOG_PID
   */
  public static SystemdNotifier fromEnvironment(Map<String, String> env, long pid) {
    String notifySocket = env.get("NOTIFY_SOCKET");
    if (notifySocket == null || notifySocket.isEmpty()) {
      return new SystemdNotifier(null, null);
    }
    NotifySocket socket = NotifySocket.open(notifySocket).orElse(null);
    Duration interval = socket == null ? null : watchdogInterval(env, pid).orElse(null);
    return new SystemdNotifier(socket, interval);
  }

  /**
   * Half of WATCHDOG_USEC, as sd_watchdog_enabled(3) advises, or empty when there is no watchdog or it watches
   * another process (WATCHDOG_PID, inherited by a child).
   */
  static Optional<Duration> watchdogInterval(Map<String, String> env, long pid) {
    String usec = env.get("WATCHDOG_USEC");
    if (usec == null || usec.isEmpty()) {
      return Optional.empty();
    }
    String watchedPid = env.get("WATCHDOG_PID");
    if (watchedPid != null && !watchedPid.isEmpty() && !watchedPid.equals(Long.toString(pid))) {
      return Optional.empty();
    }
    try {
      long micros = Long.parseLong(usec);
      if (micros > 1) {
        return Optional.of(Duration.ofNanos(micros * 1000 / 2));
      }
    } catch (NumberFormatException e) {
      // falls through to the warning
    }
    LOG.warn("WATCHDOG_USEC '{}' is not a positive number of microseconds; not sending watchdog pings", usec);
    return Optional.empty();
  }

  /** Whether systemd is listening; false means every call is a no-op. */
  public boolean enabled() {
    return socket != null;
  }

  /** How often the watchdog pings, or empty when systemd asked for no watchdog. */
  public Optional<Duration> watchdogInterval() {
    return Optional.ofNullable(watchdogInterval);
  }

  /** Start-up is complete, or a reload has finished: "READY=1" with a status line. */
  public void ready(String status) {
    send("READY=1\nSTATUS=" + oneLine(status));
  }

  /**
   * A reload has begun; call {@link #ready} when it ends, successfully or not. systemd (since 253) wants the
   * CLOCK_MONOTONIC time with RELOADING=1 to match it with the reload it asked for.
   */
  public void reloading(String status) {
    // On Linux, HotSpot's System.nanoTime() reads clock_gettime(CLOCK_MONOTONIC), the clock systemd means.
    long monotonicMicros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime());
    send("RELOADING=1\nMONOTONIC_USEC=" + monotonicMicros + "\nSTATUS=" + oneLine(status));
  }

  /** Shutdown has begun (connections are draining); systemd then waits up to TimeoutStopSec. */
  public void stopping() {
    send("STOPPING=1");
  }

  /** A free-form status line, shown by {@code systemctl status}. */
  public void status(String status) {
    send("STATUS=" + oneLine(status));
  }

  /** Starts the watchdog pings from the notifier's own thread; see {@link #startWatchdog(Executor)}. */
  public void startWatchdog() {
    startWatchdog(Runnable::run);
  }

  /**
   * Starts sending "WATCHDOG=1" every {@link #watchdogInterval()}, if systemd asked for a watchdog. Each ping is sent
   * from {@code pingFrom}: pass a Vert.x context ({@code context::runOnContext}) and a blocked event loop stops the
   * pings, so systemd restarts a sidecar that is alive but no longer serving. Calling it again does nothing.
   */
  public synchronized void startWatchdog(Executor pingFrom) {
    Objects.requireNonNull(pingFrom, "pingFrom");
    if (socket == null || watchdogInterval == null || watchdog != null) {
      return;
    }
    long nanos = watchdogInterval.toNanos();
    watchdog = socket.eventLoop().scheduleAtFixedRate(
      () -> pingFrom.execute(() -> send("WATCHDOG=1")), 0, nanos, TimeUnit.NANOSECONDS);
  }

  /** Stops the watchdog and closes the socket; datagrams already sent are delivered first. */
  @Override
  public synchronized void close() {
    closed = true;
    if (watchdog != null) {
      watchdog.cancel(false);
    }
    if (socket != null) {
      socket.close();
    }
  }

  private void send(String message) {
    if (socket != null && !closed) {
      socket.send(message);
    }
  }

  /** A newline in a status would start a new field, so a status is kept to one line. */
  private static String oneLine(String status) {
    return Objects.requireNonNullElse(status, "").replace('\n', ' ').replace('\r', ' ');
  }
}

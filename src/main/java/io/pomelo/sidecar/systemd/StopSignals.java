package io.pomelo.sidecar.systemd;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;

/**
 * SIGTERM (what {@code systemctl stop} sends) and SIGINT (Ctrl-C), counted. The JVM's own handler starts the shutdown
 * hooks and then ignores every further signal, so a second SIGTERM could never cut a lame duck short: this handler
 * takes the signals over, starts the JVM's exit on the first and reports each later one.
 */
public final class StopSignals {

  private StopSignals() {
  }

  /**
   * On the first SIGTERM or SIGINT, calls {@code System.exit(0)} (so the shutdown hooks stop the sidecar); on every
   * later one, runs {@code again} on the JVM's signal thread: hand the work off and return quickly.
   */
  public static void install(Runnable again) {
    Objects.requireNonNull(again, "again");
    AtomicInteger seen = new AtomicInteger();
    sun.misc.SignalHandler handler = signal -> {
      if (seen.getAndIncrement() == 0) {
        // On a thread of its own: exit blocks until the hooks are done, and the next signal must still be heard.
        Thread exit = new Thread(() -> System.exit(0), "pomelo-sidecar-exit");
        exit.start();
      } else {
        again.run();
      }
    };
    Signal.handle(new Signal("TERM"), handler);
    Signal.handle(new Signal("INT"), handler);
  }
}

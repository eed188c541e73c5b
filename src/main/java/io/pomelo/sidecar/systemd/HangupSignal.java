package io.pomelo.sidecar.systemd;

import java.util.Objects;
import sun.misc.Signal;

/**
 * SIGHUP as "reload", which is what {@code systemctl reload} sends (ExecReload=/bin/kill -HUP $MAINPID). Without a
 * handler the JVM treats SIGHUP like SIGTERM and shuts down, so this must be installed before READY=1.
 * sun.misc.Signal (module jdk.unsupported) is the JDK's only way to catch a signal, and is kept for this use.
 */
public final class HangupSignal {

  private HangupSignal() {
  }

  /**
   * Runs {@code reload} on every SIGHUP, on the JVM's signal thread: hand the work off (e.g. to a Vert.x context)
   * and return quickly. A second SIGHUP while a reload runs is the caller's to coalesce.
   */
  public static void onHangup(Runnable reload) {
    Objects.requireNonNull(reload, "reload");
    Signal.handle(new Signal("HUP"), signal -> reload.run());
  }
}

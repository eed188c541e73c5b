package io.pomelo.sidecar.systemd;

import static org.assertj.core.api.Assertions.assertThat;

import io.pomelo.sidecar.testing.Await;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

final class SystemdHangupSignalTest {

  @Test
  void aHangupReloadsInsteadOfStoppingTheJvm() throws Exception {
    Semaphore reloads = new Semaphore(0);
    HangupSignal.onHangup(reloads::release);

    for (int i = 0; i < 2; i++) {
      hangup();
      assertThat(reloads.tryAcquire(Await.SECONDS, TimeUnit.SECONDS)).as("reload %d", i + 1).isTrue();
    }
    // Reaching here means the JVM survived both: its default for SIGHUP is to exit.
  }

  /** What ExecReload=/bin/kill -HUP $MAINPID does. */
  private static void hangup() throws Exception {
    Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(ProcessHandle.current().pid()))
      .inheritIO().start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).isZero();
  }
}

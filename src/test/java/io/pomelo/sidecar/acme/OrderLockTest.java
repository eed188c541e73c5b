package io.pomelo.sidecar.acme;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** One holder of the order lock at a time, in this process and across processes. */
class OrderLockTest {

  @TempDir
  Path dir;

  @Test
  void aHeldLockIsRefusedUntilReleased() throws Exception {
    Path file = dir.resolve("order.lock");
    OrderLock first = OrderLock.tryTake(file);
    assertThat(first).isNotNull();
    assertThat(OrderLock.tryTake(file)).isNull();
    first.close();
    try (OrderLock again = OrderLock.tryTake(file)) {
      assertThat(again).isNotNull();
    }
  }

  @Test
  void anotherProcessHoldingItKeepsThisOneOut() throws Exception {
    Path file = dir.resolve("order.lock");
    Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-cp", System.getProperty("java.class.path"), LockHolder.class.getName(), file.toString())
      .redirectErrorStream(true).start();
    try {
      assertThat(new String(holder.getInputStream().readNBytes(5))).isEqualTo("held\n");
      assertThat(OrderLock.tryTake(file)).isNull();
    } finally {
      holder.destroy();
      holder.waitFor();
    }
    // The kernel releases a dead holder's lock: a crash never leaves it stuck.
    try (OrderLock after = OrderLock.tryTake(file)) {
      assertThat(after).isNotNull();
    }
  }

  /** Takes the lock, says so, and holds it until killed. */
  public static final class LockHolder {
    public static void main(String[] args) throws Exception {
      OrderLock lock = OrderLock.tryTake(Path.of(args[0]));
      System.out.print(lock == null ? "free?\n" : "held\n");
      System.out.flush();
      Thread.sleep(Long.MAX_VALUE);
    }
  }
}

package io.pomelo.sidecar.systemd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class SystemdNotifierTest {

  private static final long PID = 4242;

  @TempDir
  Path dir;

  @Test
  void sendsTheLifecycleDatagramsInOrder() throws Exception {
    String path = dir.resolve("notify.sock").toString();
    try (NotifyReceiver systemd = new NotifyReceiver(path);
         SystemdNotifier notifier = SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", path), PID)) {
      assertThat(notifier.enabled()).isTrue();
      assertThat(notifier.watchdogInterval()).isEmpty();

      notifier.ready("12 routes on :443");
      assertThat(systemd.nextText()).isEqualTo("READY=1\nSTATUS=12 routes on :443");

      long before = TimeUnit.NANOSECONDS.toMicros(System.nanoTime());
      notifier.reloading("reloading servers.json");
      long after = TimeUnit.NANOSECONDS.toMicros(System.nanoTime());
      String reloading = systemd.nextText();
      assertThat(reloading).matches("RELOADING=1\nMONOTONIC_USEC=\\d+\nSTATUS=reloading servers.json");
      long monotonic = Long.parseLong(reloading.split("\n")[1].substring("MONOTONIC_USEC=".length()));
      assertThat(monotonic).isBetween(before, after);

      notifier.ready("13 routes on :443");
      assertThat(systemd.nextText()).isEqualTo("READY=1\nSTATUS=13 routes on :443");

      notifier.status("draining 7 connections");
      assertThat(systemd.nextText()).isEqualTo("STATUS=draining 7 connections");

      notifier.stopping();
      assertThat(systemd.nextText()).isEqualTo("STOPPING=1");
    }
  }

  @Test
  void aStatusCannotSmuggleInAnotherField() throws Exception {
    String path = dir.resolve("notify.sock").toString();
    try (NotifyReceiver systemd = new NotifyReceiver(path);
         SystemdNotifier notifier = SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", path), PID)) {
      notifier.status("bad name\nREADY=1");
      assertThat(systemd.nextText()).isEqualTo("STATUS=bad name READY=1");
    }
  }

  @Test
  void reachesAnAbstractSocketWrittenWithAnAt() throws Exception {
    String name = "pomelo-sidecar-test-" + UUID.randomUUID();
    try (NotifyReceiver systemd = new NotifyReceiver("\0" + name);
         SystemdNotifier notifier = SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", "@" + name), PID)) {
      notifier.stopping();
      assertThat(systemd.nextText()).isEqualTo("STOPPING=1");
    }
  }

  @Test
  void pingsTheWatchdogAtHalfItsTimeout() throws Exception {
    String path = dir.resolve("notify.sock").toString();
    Map<String, String> env = Map.of("NOTIFY_SOCKET", path, "WATCHDOG_USEC", "400000", "WATCHDOG_PID", "" + PID);
    try (NotifyReceiver systemd = new NotifyReceiver(path);
         SystemdNotifier notifier = SystemdNotifier.fromEnvironment(env, PID)) {
      assertThat(notifier.watchdogInterval()).contains(Duration.ofMillis(200));
      notifier.startWatchdog();
      notifier.startWatchdog(); // a second start must not double the rate

      List<Long> arrivals = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        NotifyReceiver.Datagram ping = systemd.next(Duration.ofSeconds(5));
        assertThat(ping).as("watchdog ping %d", i).isNotNull();
        assertThat(ping.text()).isEqualTo("WATCHDOG=1");
        arrivals.add(ping.receivedNanos());
      }
      // Four intervals of 200 ms; the bounds leave room for a busy 2-core machine but not for twice the rate.
      long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(arrivals.get(4) - arrivals.get(0));
      assertThat(elapsedMillis).isBetween(600L, 1400L);
    }
  }

  @Test
  void leavesTheWatchdogToTheProcessItNames() throws Exception {
    String path = dir.resolve("notify.sock").toString();
    Map<String, String> env = Map.of("NOTIFY_SOCKET", path, "WATCHDOG_USEC", "100000", "WATCHDOG_PID", "1");
    try (NotifyReceiver systemd = new NotifyReceiver(path);
         SystemdNotifier notifier = SystemdNotifier.fromEnvironment(env, PID)) {
      assertThat(notifier.watchdogInterval()).isEmpty();
      notifier.startWatchdog();
      notifier.stopping();
      // Datagrams on one socket arrive in order, so a ping sent before STOPPING would show up first.
      assertThat(systemd.nextText()).isEqualTo("STOPPING=1");
    }
  }

  @Test
  void pingsFromTheGivenExecutor() throws Exception {
    String path = dir.resolve("notify.sock").toString();
    Map<String, String> env = Map.of("NOTIFY_SOCKET", path, "WATCHDOG_USEC", "100000");
    List<Runnable> held = new ArrayList<>();
    try (NotifyReceiver systemd = new NotifyReceiver(path);
         SystemdNotifier notifier = SystemdNotifier.fromEnvironment(env, PID)) {
      java.util.concurrent.CountDownLatch handedOver = new java.util.concurrent.CountDownLatch(1);
      notifier.startWatchdog(ping -> {
        synchronized (held) {
          held.add(ping);
        }
        handedOver.countDown();
      });
      assertThat(handedOver.await(5, TimeUnit.SECONDS)).isTrue();
      // A stalled executor sends nothing; once it runs the ping, systemd hears it.
      notifier.status("probe");
      assertThat(systemd.nextText()).isEqualTo("STATUS=probe");
      synchronized (held) {
        held.get(0).run();
      }
      assertThat(systemd.nextText()).isEqualTo("WATCHDOG=1");
    }
  }

  @Test
  void readsTheWatchdogTimeoutCarefully() {
    assertThat(SystemdNotifier.watchdogInterval(Map.of("WATCHDOG_USEC", "30000000"), PID))
      .contains(Duration.ofSeconds(15));
    assertThat(SystemdNotifier.watchdogInterval(Map.of("WATCHDOG_USEC", "30000000", "WATCHDOG_PID", "4242"), PID))
      .contains(Duration.ofSeconds(15));
    assertThat(SystemdNotifier.watchdogInterval(Map.of("WATCHDOG_USEC", "soon"), PID)).isEmpty();
    assertThat(SystemdNotifier.watchdogInterval(Map.of("WATCHDOG_USEC", "0"), PID)).isEmpty();
    assertThat(SystemdNotifier.watchdogInterval(Map.of(), PID)).isEmpty();
  }

  @Test
  void doesNothingOutsideSystemd() {
    try (SystemdNotifier notifier = SystemdNotifier.fromEnvironment(Map.of("WATCHDOG_USEC", "100000"), PID)) {
      assertThat(notifier.enabled()).isFalse();
      assertThat(notifier.watchdogInterval()).isEmpty();
      notifier.ready("up");
      notifier.reloading("reloading");
      notifier.status("status");
      notifier.stopping();
      notifier.startWatchdog();
    }
  }

  @Test
  void ignoresANotifySocketItCannotUse() {
    try (SystemdNotifier notifier = SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", "relative.sock"), PID)) {
      assertThat(notifier.enabled()).isFalse();
      notifier.ready("up");
    }
  }
}

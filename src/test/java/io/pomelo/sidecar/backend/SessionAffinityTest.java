package io.pomelo.sidecar.backend;

import io.pomelo.sidecar.route.Route;
import io.pomelo.sidecar.route.RouteKind;
import io.pomelo.sidecar.route.RouteTable;
import io.pomelo.sidecar.route.Target;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The engine.io session table: its bounds, its clock, and the choice it changes. */
class SessionAffinityTest {

  private static final Target S1 = new Target("sio-server-1", "sio", "127.0.0.1", 3010);
  private static final Target S2 = new Target("sio-server-2", "sio", "127.0.0.1", 3011);
  private static final Route TYPE = new Route("/sio/", RouteKind.TYPE, "sio", List.of(S1, S2), true);
  private static final Route ONLY_S2 = new Route("/sio/", RouteKind.TYPE, "sio", List.of(S2), true);

  private final AtomicLong nanos = new AtomicLong();

  private SessionAffinity table(int capacity) {
    return new SessionAffinity(capacity, Duration.ofMinutes(3), nanos::get);
  }

  @Test
  void aLearntSessionIsPinnedAndAnUnknownOneIsNot() {
    SessionAffinity sessions = table(10);
    sessions.learn("abc", S2);

    assertThat(sessions.pinned("abc", TYPE)).isEqualTo(S2);
    assertThat(sessions.pinned("made-up", TYPE)).isNull();
  }

  @Test
  void whenFullNewSessionsAreNotPinnedButKnownOnesStay() {
    SessionAffinity sessions = table(2);
    sessions.learn("a", S1);
    sessions.learn("b", S2);
    sessions.learn("c", S1);

    assertThat(sessions.size()).isEqualTo(2);
    assertThat(sessions.pinned("c", TYPE)).isNull();
    assertThat(sessions.pinned("a", TYPE)).isEqualTo(S1);
    assertThat(sessions.pinned("b", TYPE)).isEqualTo(S2);
  }

  @Test
  void aSessionExpiresAfterThreeMinutesWithoutARequestAndEachRequestRenewsIt() {
    SessionAffinity sessions = table(10);
    sessions.learn("kept", S1);
    sessions.learn("idle", S2);

    nanos.addAndGet(Duration.ofMinutes(2).toNanos());
    assertThat(sessions.pinned("kept", TYPE)).isEqualTo(S1);
    nanos.addAndGet(Duration.ofMinutes(2).toNanos());

    assertThat(sessions.pinned("kept", TYPE)).isEqualTo(S1);
    assertThat(sessions.pinned("idle", TYPE)).isNull();
    assertThat(sessions.size()).isEqualTo(1);
  }

  @Test
  void expiredSessionsAreSweptAsNewOnesArrive() {
    SessionAffinity sessions = table(SessionAffinity.SWEEP_EVERY * 2);
    for (int i = 0; i < SessionAffinity.SWEEP_EVERY - 1; i++) {
      sessions.learn("old-" + i, S1);
    }
    nanos.addAndGet(Duration.ofMinutes(4).toNanos());

    sessions.learn("new", S2);

    assertThat(sessions.size()).isEqualTo(1);
    assertThat(sessions.pinned("new", TYPE)).isEqualTo(S2);
  }

  @Test
  void aSessionWhoseServerLeftTheRouteIsForgotten() {
    SessionAffinity sessions = table(10);
    sessions.learn("abc", S1);

    assertThat(sessions.pinned("abc", ONLY_S2)).isNull();
    assertThat(sessions.size()).isZero();
  }

  @Test
  void thePinnedServerWinsOverFewerConnectionsWhileItIsUsable() {
    SessionAffinity sessions = table(10);
    LiveState live = new LiveState(true, sessions);
    live.follow(new RouteTable(List.of(TYPE)));
    TargetChoice choice = new TargetChoice(live);
    sessions.learn("abc", S1);
    live.backend(S1).connectionStarted();
    live.backend(S1).connectionStarted();

    for (int i = 0; i < 4; i++) {
      assertThat(choice.choose(TYPE, "abc")).isEqualTo(S1);
    }
    assertThat(choice.choose(TYPE, "made-up")).isEqualTo(S2);
    assertThat(sessions.size()).as("a client's sid is never learnt").isEqualTo(1);

    live.backend(S1).markUnhealthy(Instant.now(), "refused");
    assertThat(choice.choose(TYPE, "abc")).isEqualTo(S2);
    assertThat(sessions.size()).isZero();
  }

  @Test
  void tenThousandSessionsCostAboutAHundredAndFiftyBytesEach() {
    SessionAffinity sessions = table(SessionAffinity.DEFAULT_CAPACITY);
    long before = usedHeap();
    for (int i = 0; i < 10_000; i++) {
      // engine.io 1.8's ids: 20 characters of base64id.
      sessions.learn(String.format("%020d", i), i % 2 == 0 ? S1 : S2);
    }
    long after = usedHeap();
    long perSession = (after - before) / 10_000;
    System.out.println("SessionAffinity: " + (after - before) + " bytes for 10000 sessions, about " + perSession
      + " each");
    assertThat(sessions.size()).isEqualTo(10_000);
    // Loose: a GC that does not settle must not fail the build, only a table that costs far more than it should.
    assertThat(perSession).isLessThan(1_000);
  }

  private static long usedHeap() {
    Runtime runtime = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return runtime.totalMemory() - runtime.freeMemory();
  }
}

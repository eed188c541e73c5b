package io.pomelo.sidecar.proxy;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static io.pomelo.sidecar.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/** The clock on a connection's next head: runs out when idle, holds while an answer is in flight, never after stop. */
class HeadClockTest {

  /** How long a clock that must not run out is watched: ten times its bound. */
  private static final long WATCHED = 300;

  private Vertx vertx;
  private Context loop;
  private final AtomicInteger expired = new AtomicInteger();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    loop = vertx.getOrCreateContext();
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  void aConnectionThatSendsNoHeadRunsOutOnce() throws Exception {
    Promise<Void> ranOut = Promise.promise();
    loop.runOnContext(v -> new HeadClock(vertx, () -> {
      expired.incrementAndGet();
      ranOut.tryComplete();
    }).start(30));

    await(ranOut.future());
    await(after(WATCHED));
    assertThat(expired).hasValue(1);
  }

  @Test
  void anAnswerInFlightHoldsTheClockAndItsEndStartsItAgain() throws Exception {
    Promise<Void> ranOut = Promise.promise();
    HeadClock[] clock = new HeadClock[1];
    loop.runOnContext(v -> {
      clock[0] = new HeadClock(vertx, () -> {
        expired.incrementAndGet();
        ranOut.tryComplete();
      });
      clock[0].start(30);
      clock[0].headArrived();
      clock[0].headArrived();
    });
    await(after(WATCHED));
    assertThat(expired).as("two answers in flight").hasValue(0);

    loop.runOnContext(v -> clock[0].answered(30));
    await(after(WATCHED));
    assertThat(expired).as("one answer still in flight").hasValue(0);

    long ended = System.nanoTime();
    loop.runOnContext(v -> clock[0].answered(30));
    await(ranOut.future());
    assertThat(System.nanoTime() - ended).isGreaterThanOrEqualTo(30_000_000L);
  }

  @Test
  void aStoppedClockNeverRunsOutNorStartsAgain() throws Exception {
    loop.runOnContext(v -> {
      HeadClock clock = new HeadClock(vertx, expired::incrementAndGet);
      clock.start(30);
      clock.headArrived();
      clock.stop();
      clock.answered(30);
      clock.start(30);
    });
    await(after(WATCHED));
    assertThat(expired).hasValue(0);
  }

  /** Completes on the clocks' own event loop {@code millis} from now, after anything due before it. */
  private Future<Void> after(long millis) {
    Promise<Void> done = Promise.promise();
    loop.runOnContext(v -> vertx.setTimer(millis, id -> done.complete()));
    return done.future();
  }
}

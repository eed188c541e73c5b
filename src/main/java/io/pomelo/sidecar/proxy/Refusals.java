package io.pomelo.sidecar.proxy;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Counts every client the public port turned away, by {@link Refusal}, across event loops; the admin API's
 * metrics read {@link #count} or subscribe with {@link #onRefusal}. Live state: one instance per process, kept
 * across reloads.
 */
public final class Refusals {

  private final Map<Refusal, LongAdder> counts = new EnumMap<>(Refusal.class);
  private final List<Consumer<Refusal>> listeners = new CopyOnWriteArrayList<>();

  public Refusals() {
    for (Refusal r : Refusal.values()) {
      counts.put(r, new LongAdder());
    }
  }

  /** How many times {@code refusal} happened since start. */
  public long count(Refusal refusal) {
    return counts.get(refusal).sum();
  }

  /** Every count, including zeros, in declaration order. */
  public Map<Refusal, Long> counts() {
    Map<Refusal, Long> all = new EnumMap<>(Refusal.class);
    counts.forEach((r, n) -> all.put(r, n.sum()));
    return all;
  }

  /**
   * Calls {@code listener} on each refusal, on the event loop that refused: it must be quick and must not block.
   */
  public void onRefusal(Consumer<Refusal> listener) {
    listeners.add(listener);
  }

  void record(Refusal refusal) {
    counts.get(refusal).increment();
    for (Consumer<Refusal> listener : listeners) {
      listener.accept(refusal);
    }
  }

  /**
   * Records {@code refusal} and answers with its status and {@code why}, then closes the connection: a client that
   * was refused once gets no second request on it.
   */
  void refuse(HttpServerRequest request, Refusal refusal, String why) {
    record(refusal);
    if (refusal == Refusal.BAD_UPGRADE) {
      // RFC 6455 4.4: say which version the server speaks.
      PlainAnswer.last(request, refusal.status(), why, "Sec-WebSocket-Version", "13");
    } else if (refusal == Refusal.UPGRADE_REQUIRED) {
      PlainAnswer.last(request, refusal.status(), why, HttpHeaders.UPGRADE, "websocket");
    } else {
      PlainAnswer.last(request, refusal.status(), why);
    }
  }
}

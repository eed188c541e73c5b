package io.pomelo.sidecar.proxy;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts every client the public port turned away, by {@link Refusal}, across event loops; the admin API's metrics
 * read {@link #count}. What a refused client is told is {@link RefusalAnswer}'s. Live state: one instance per
 * process, kept across reloads.
 */
public final class Refusals {

  private final Map<Refusal, LongAdder> counts = new EnumMap<>(Refusal.class);

  public Refusals() {
    for (Refusal r : Refusal.values()) {
      counts.put(r, new LongAdder());
    }
  }

  /** How many times {@code refusal} happened since start. */
  public long count(Refusal refusal) {
    return counts.get(refusal).sum();
  }

  void record(Refusal refusal) {
    counts.get(refusal).increment();
  }
}

package io.pomelo.sidecar.backend;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The live counts of one route path. Kept by path outside the route table, so a reload that keeps the path keeps
 * the counts.
 *
 * <p>Bytes are added once per socket read, from the event loop that read them. {@link LongAdder} gives each
 * contending thread its own cell, so the event loops never fight over one cache line; the sum is only built when
 * the admin API or a scrape asks.
 */
public final class RouteCounters {

  private final String path;
  private final AtomicInteger active = new AtomicInteger();
  private final LongAdder total = new LongAdder();
  private final LongAdder bytesIn = new LongAdder();
  private final LongAdder bytesOut = new LongAdder();
  private final Map<Integer, LongAdder> upgrades = new ConcurrentHashMap<>();
  private final Map<CloseReason, LongAdder> closes;

  RouteCounters(String path) {
    this.path = path;
    Map<CloseReason, LongAdder> map = new EnumMap<>(CloseReason.class);
    for (CloseReason reason : CloseReason.values()) {
      map.put(reason, new LongAdder());
    }
    this.closes = Collections.unmodifiableMap(map);
  }

  public String path() {
    return path;
  }

  /** WebSocket connections on this route: open ones plus upgrades in progress. */
  public int active() {
    return active.get();
  }

  /** WebSocket connections that were upgraded (101) on this route since the sidecar started. */
  public long total() {
    return total.sum();
  }

  /** Bytes from clients to servers after the upgrade: WebSocket frames with their headers, TLS not included. */
  public long bytesIn() {
    return bytesIn.sum();
  }

  /** Bytes from servers to clients after the upgrade, counted like {@link #bytesIn}. */
  public long bytesOut() {
    return bytesOut.sum();
  }

  /** Upgrade answers by HTTP status (101, 404, 502, 504, or whatever the server refused with). */
  public Map<Integer, Long> upgrades() {
    Map<Integer, Long> copy = new TreeMap<>();
    upgrades.forEach((status, n) -> copy.put(status, n.sum()));
    return copy;
  }

  public long closes(CloseReason reason) {
    return closes.get(reason).sum();
  }

  public void connectionStarted() {
    active.incrementAndGet();
  }

  public void connectionEnded() {
    active.decrementAndGet();
  }

  public void upgraded(int status) {
    if (status == 101) {
      total.increment();
    }
    upgrades.computeIfAbsent(status, s -> new LongAdder()).increment();
  }

  public void addIn(long bytes) {
    bytesIn.add(bytes);
  }

  public void addOut(long bytes) {
    bytesOut.add(bytes);
  }

  public void closed(CloseReason reason) {
    closes.get(reason).increment();
  }
}

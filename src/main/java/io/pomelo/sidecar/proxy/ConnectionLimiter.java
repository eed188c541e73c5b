package io.pomelo.sidecar.proxy;

import io.pomelo.sidecar.config.LimitsConfig;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Counts open connections on the public port, in total and per client address, and the rate of new ones per
 * address (a token bucket holding one second's worth). Shared by every event loop's listener. A connection counts
 * from accept to close ({@link AcceptCounting}) whether it was admitted or not: a refused one still holds a socket
 * until its answer is sent. Addresses are counted by {@link #keyOf}: IPv6 clients by their prefix.
 */
public final class ConnectionLimiter {

  /** Sweep idle addresses after this many admissions, so the map holds only recent addresses. */
  private static final int SWEEP_EVERY = 1024;

  private final int maxTotal;
  private final int maxPerAddress;
  private final int ratePerAddress;
  private final int ipv6Prefix;
  private final LongSupplier nanoClock;
  private final AtomicInteger total = new AtomicInteger();
  private final AtomicInteger sinceSweep = new AtomicInteger();
  private final ConcurrentHashMap<String, Address> addresses = new ConcurrentHashMap<>();

  public ConnectionLimiter(LimitsConfig limits) {
    this(limits, System::nanoTime);
  }

  ConnectionLimiter(LimitsConfig limits, LongSupplier nanoClock) {
    this.maxTotal = limits.connections();
    this.maxPerAddress = limits.connectionsPerAddress();
    this.ratePerAddress = limits.connectionRatePerAddress();
    this.ipv6Prefix = limits.ipv6Prefix();
    this.nanoClock = nanoClock;
  }

  /** What a client {@code address} (an IP literal) is counted under: itself, or for IPv6 its prefix. */
  public String keyOf(String address) {
    return AddressBlock.of(address, ipv6Prefix);
  }

  /** One client address: open connections and the rate bucket. Changed only inside {@code compute}. */
  private static final class Address {
    /** Volatile only for {@link #open(String)}; writes happen inside {@code compute}. */
    volatile int open;
    double tokens;
    long refilledAt;
  }

  /**
   * Counts a new connection under {@code address} (a {@link #keyOf} key) and says whether it may be served: null when
   * it may, else why not. Every call must be matched by one {@link #closed} call.
   */
  Refusal opened(String address) {
    int now = total.incrementAndGet();
    long at = nanoClock.getAsLong();
    int[] openHere = new int[1];
    boolean[] rateOk = new boolean[1];
    addresses.compute(address, (key, a) -> {
      Address s = a == null ? fresh(at) : a;
      s.open++;
      refill(s, at);
      rateOk[0] = ratePerAddress == 0 || s.tokens >= 1;
      if (rateOk[0] && ratePerAddress > 0) {
        s.tokens -= 1;
      }
      openHere[0] = s.open;
      return s;
    });
    if (sinceSweep.incrementAndGet() >= SWEEP_EVERY) {
      sinceSweep.set(0);
      sweep();
    }
    if (maxTotal > 0 && now > maxTotal) {
      return Refusal.TOO_MANY_CONNECTIONS;
    }
    if (maxPerAddress > 0 && openHere[0] > maxPerAddress) {
      return Refusal.TOO_MANY_FROM_ADDRESS;
    }
    return rateOk[0] ? null : Refusal.TOO_FAST_FROM_ADDRESS;
  }

  /** Counts a connection from {@code address} as closed. */
  void closed(String address) {
    total.decrementAndGet();
    long at = nanoClock.getAsLong();
    addresses.computeIfPresent(address, (key, s) -> {
      s.open--;
      return forgettable(s, at) ? null : s;
    });
  }

  /** Open connections in total. */
  public int open() {
    return total.get();
  }

  /** Open connections counted under {@code address} (a {@link #keyOf} key). */
  public int open(String address) {
    Address s = addresses.get(address);
    return s == null ? 0 : s.open;
  }

  /** Addresses remembered now: those with open connections or a bucket still refilling. */
  int addressesTracked() {
    return addresses.size();
  }

  /** Drops addresses with nothing open whose bucket has refilled: remembering them would change nothing. */
  void sweep() {
    long at = nanoClock.getAsLong();
    for (String address : addresses.keySet()) {
      addresses.computeIfPresent(address, (key, s) -> forgettable(s, at) ? null : s);
    }
  }

  private Address fresh(long at) {
    Address s = new Address();
    s.tokens = ratePerAddress;
    s.refilledAt = at;
    return s;
  }

  private boolean forgettable(Address s, long at) {
    refill(s, at);
    return s.open <= 0 && s.tokens >= ratePerAddress;
  }

  private void refill(Address s, long at) {
    if (ratePerAddress == 0) {
      return;
    }
    double elapsedSeconds = (at - s.refilledAt) / 1e9;
    s.tokens = Math.min(ratePerAddress, s.tokens + elapsedSeconds * ratePerAddress);
    s.refilledAt = at;
  }
}

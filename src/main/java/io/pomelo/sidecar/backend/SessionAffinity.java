package io.pomelo.sidecar.backend;

import io.pomelo.sidecar.route.Route;
import io.pomelo.sidecar.route.Target;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Which server made each engine.io session, so that every later request of the session (its polls, its upgrade)
 * reaches that server on a route that spreads over several: engine.io keeps a session in the one process that made
 * it. One table for the process, since a session's requests arrive on any event loop. It is bounded twice: at most
 * {@link #DEFAULT_CAPACITY} sessions (when full, a new session is simply not pinned), and a session with no request
 * for {@link #DEFAULT_IDLE} is forgotten, swept every {@link #SWEEP_EVERY} new sessions.
 *
 * <p>A session id is learnt only from a server's answer ({@link #learn}), never from what a client sends, so a
 * client cannot fill the table with ids it made up.
 */
public final class SessionAffinity {

  /** Sessions remembered at most, so the table's heap has a ceiling (its cost per session: see the README). */
  public static final int DEFAULT_CAPACITY = 100_000;
  /** Longer than engine.io's ping interval plus ping timeout (25 s + 60 s with Pomelo's template). */
  public static final Duration DEFAULT_IDLE = Duration.ofMinutes(3);
  /** Sweep expired sessions after this many new ones, so idle ones never pile up to the cap. */
  static final int SWEEP_EVERY = 1024;

  private final int capacity;
  private final long idleNanos;
  private final LongSupplier nanoClock;
  private final ConcurrentHashMap<String, Pin> sessions = new ConcurrentHashMap<>();
  private final AtomicInteger sinceSweep = new AtomicInteger();

  public SessionAffinity() {
    this(DEFAULT_CAPACITY, DEFAULT_IDLE, System::nanoTime);
  }

  SessionAffinity(int capacity, Duration idle, LongSupplier nanoClock) {
    this.capacity = capacity;
    this.idleNanos = idle.toNanos();
    this.nanoClock = nanoClock;
  }

  /** One session's server and when it was last asked for; the time is the only thing that changes. */
  private static final class Pin {
    final String serverId;
    volatile long seenAt;

    Pin(String serverId, long seenAt) {
      this.serverId = serverId;
      this.seenAt = seenAt;
    }
  }

  /**
   * Pins session {@code sid} to {@code target}: called with the id a server gave in its answer to a request that
   * carried none (the handshake). Does nothing when the table is full.
   */
  public void learn(String sid, Target target) {
    long now = nanoClock.getAsLong();
    if (sinceSweep.incrementAndGet() >= SWEEP_EVERY) {
      sinceSweep.set(0);
      sweep();
    }
    // The size is approximate under contention; the cap may be passed by a few, never by many.
    if (sessions.size() >= capacity && !sessions.containsKey(sid)) {
      return;
    }
    sessions.put(sid, new Pin(target.serverId(), now));
  }

  /**
   * The target of {@code route} that session {@code sid} is pinned to, or null when the session is unknown, expired,
   * or its server is not a target of the route. The caller {@link #forget}s it when that target is not usable.
   */
  public Target pinned(String sid, Route route) {
    Pin pin = sessions.get(sid);
    if (pin == null) {
      return null;
    }
    long now = nanoClock.getAsLong();
    if (now - pin.seenAt > idleNanos) {
      sessions.remove(sid, pin);
      return null;
    }
    for (Target target : route.targets()) {
      if (target.serverId().equals(pin.serverId)) {
        pin.seenAt = now;
        return target;
      }
    }
    sessions.remove(sid, pin);
    return null;
  }

  /** Forgets session {@code sid}: its server is down, and the session with it. */
  public void forget(String sid) {
    sessions.remove(sid);
  }

  /** Sessions remembered now, expired ones not yet swept included. */
  public int size() {
    return sessions.size();
  }

  /** Drops every session with no request for longer than the idle time. */
  void sweep() {
    long now = nanoClock.getAsLong();
    sessions.values().removeIf(pin -> now - pin.seenAt > idleNanos);
  }
}

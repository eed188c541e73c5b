package io.pomelo.sidecar.backend;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The live state of one backend (Caddy's {@code Host}): health and open connections. It is not part of the
 * immutable route table, so it survives reloads; routes that share a server share this object.
 *
 * <p>Written from event loops (passive marks, connection counts) and from the health checks; every field is
 * safe to read from anywhere.
 */
public final class BackendState {

  private static final Logger LOG = LoggerFactory.getLogger(BackendState.class);

  private final TargetKey key;
  private final AtomicInteger active = new AtomicInteger();
  private volatile Health health = Health.UNKNOWN;
  private volatile Instant lastCheck;
  private volatile String lastError;
  private volatile boolean unlisted;

  BackendState(TargetKey key) {
    this.key = key;
  }

  public TargetKey key() {
    return key;
  }

  public Health health() {
    return health;
  }

  /** When health was last decided by a check or an upgrade; null before the first. */
  public Instant lastCheck() {
    return lastCheck;
  }

  /** Why the last failed check failed; null while healthy. */
  public String lastError() {
    return lastError;
  }

  /** WebSocket connections to this backend: open ones plus upgrades in progress. */
  public int active() {
    return active.get();
  }

  public void markHealthy(Instant at) {
    Health before = health;
    lastError = null;
    health = Health.HEALTHY;
    lastCheck = at;
    if (before == Health.UNHEALTHY) {
      LOG.info("server {} ({}:{}) is up again", key.serverId(), key.host(), key.port());
    }
  }

  public void markUnhealthy(Instant at, String why) {
    Health before = health;
    lastError = why;
    health = Health.UNHEALTHY;
    lastCheck = at;
    // Once per change, not once per failed check: a server that stays down must not flood the log.
    if (before != Health.UNHEALTHY) {
      LOG.warn("server {} ({}:{}) is down: {}", key.serverId(), key.host(), key.port(), why);
    }
  }

  /**
   * Whether the Pomelo master, while it answers, leaves this server out of its list: a server of servers.json that
   * is not running (yet). Such a server keeps its routes but is not chosen for a type route or an alias.
   */
  public boolean unlisted() {
    return unlisted;
  }

  void markListed(boolean listed) {
    boolean before = unlisted;
    unlisted = !listed;
    if (before != unlisted) {
      if (unlisted) {
        LOG.warn("server {} ({}:{}) is not listed by the Pomelo master: not chosen for type routes and aliases until"
          + " it is", key.serverId(), key.host(), key.port());
      } else {
        LOG.info("server {} ({}:{}) is listed by the Pomelo master again", key.serverId(), key.host(), key.port());
      }
    }
  }

  public void connectionStarted() {
    active.incrementAndGet();
  }

  public void connectionEnded() {
    active.decrementAndGet();
  }
}

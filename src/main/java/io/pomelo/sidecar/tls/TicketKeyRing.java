package io.pomelo.sidecar.tls;

import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.netty.handler.ssl.SslContext;
import io.vertx.core.net.OpenSSLEngineOptions;

import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * The session ticket keys every public TLS context of this process uses. A context Vert.x builds (at bind, at a
 * certificate rotation) gets the current keys; a key rotation reaches the live contexts at once, so a handshake after
 * it seals with the new key while open connections are untouched. Until a key file is first used, each context keeps
 * BoringSSL's own keys; a file taken away again is replaced by a fresh key of this process's own, never left sealing
 * with the keys other hosts share.
 */
public final class TicketKeyRing {

  // Weak: a context Vert.x dropped after a certificate rotation must not be kept alive by its keys.
  private final Set<SslContext> contexts = Collections.newSetFromMap(new WeakHashMap<>());
  private List<TicketKey> fromFile = List.of();
  /** What the contexts seal with; null while they keep their own. */
  private List<TicketKey> applied;

  /** Puts the file's keys in use, newest first, in every live context and every later one; [] for none. */
  public synchronized void use(List<TicketKey> keys) {
    fromFile = List.copyOf(keys);
    if (!fromFile.isEmpty() || applied != null) {
      applied = fromFile.isEmpty() ? List.of(TicketKey.random()) : fromFile;
      contexts.forEach(this::apply);
    }
  }

  /** The file's keys in use; [] when none is. */
  public synchronized List<TicketKey> keys() {
    return fromFile;
  }

  /** Called with each context the engine builds. */
  synchronized void register(SslContext context) {
    contexts.add(context);
    apply(context);
  }

  private void apply(SslContext context) {
    if (applied != null && context.sessionContext() instanceof OpenSslSessionContext sessions) {
      sessions.setTicketKeys(applied.stream().map(TicketKey::forNetty).toArray(OpenSslSessionTicketKey[]::new));
    }
  }

  /** Whether the engine can take shared keys: BoringSSL can, the JDK's TLS has no such setting. */
  public static boolean supported() {
    return OpenSSLEngineOptions.isAvailable();
  }
}

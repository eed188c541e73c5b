package io.pomelo.sidecar.tls;

import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.netty.handler.ssl.SslContext;

import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * The session ticket keys every public TLS context of this process uses. A context Vert.x builds (at bind, at a
 * certificate rotation) gets the current keys; a key rotation reaches the live contexts at once, so a handshake after
 * it seals with the new key while open connections are untouched. Empty keys mean BoringSSL's own, made per context.
 */
public final class TicketKeyRing {

  // Weak: a context Vert.x dropped after a certificate rotation must not be kept alive by its keys.
  private final Set<SslContext> contexts = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
  private volatile List<TicketKey> keys = List.of();

  /** Puts {@code next} in use, newest first, in every live context and every later one. */
  public void use(List<TicketKey> next) {
    keys = List.copyOf(next);
    synchronized (contexts) {
      contexts.forEach(this::apply);
    }
  }

  public List<TicketKey> keys() {
    return keys;
  }

  /** Called with each context the engine builds. */
  void register(SslContext context) {
    contexts.add(context);
    apply(context);
  }

  private void apply(SslContext context) {
    List<TicketKey> current = keys;
    if (!current.isEmpty() && context.sessionContext() instanceof OpenSslSessionContext sessions) {
      sessions.setTicketKeys(current.stream().map(TicketKey::forNetty).toArray(OpenSslSessionTicketKey[]::new));
    }
  }

  /** Whether the engine can take shared keys: BoringSSL can, the JDK's TLS has no such setting. */
  public static boolean supported() {
    return io.vertx.core.net.OpenSSLEngineOptions.isAvailable();
  }
}

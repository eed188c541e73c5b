package io.pomelo.sidecar.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;

/**
 * The headers that tell Pomelo who the client really is. The sidecar is the edge: whatever a client sent in these
 * headers is replaced, so a Pomelo app can trust them (nginx's {@code $proxy_add_x_forwarded_for} would append to
 * a value the client chose). Only a trusted forwarder's {@code X-Forwarded-For} is appended to ({@link ClientAddress}).
 */
final class ForwardedHeaders {

  static final String X_FORWARDED_FOR = "X-Forwarded-For";
  static final String X_REAL_IP = "X-Real-IP";
  static final String X_FORWARDED_PROTO = "X-Forwarded-Proto";
  static final String X_FORWARDED_HOST = "X-Forwarded-Host";

  private ForwardedHeaders() {
  }

  static void set(MultiMap headers, HttpServerRequest request, ClientAddress clients) {
    headers.remove("Forwarded");
    SocketAddress client = clients.of(request);
    headers.set(X_FORWARDED_FOR, clients.forwardedFor(request));
    headers.set(X_REAL_IP, client == null ? "unknown" : client.hostAddress());
    headers.set(X_FORWARDED_PROTO, "https");
    String host = request.headers().get("Host");
    if (host != null) {
      headers.set(X_FORWARDED_HOST, host);
    } else {
      headers.remove(X_FORWARDED_HOST);
    }
  }
}

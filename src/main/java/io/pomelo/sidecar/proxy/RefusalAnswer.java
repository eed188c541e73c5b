package io.pomelo.sidecar.proxy;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * What a refused request is told: its {@link Refusal}'s status and why, with the header RFC 6455 asks for where
 * there is one. The connection then closes: a client that was refused once gets no second request on it.
 */
final class RefusalAnswer {

  private RefusalAnswer() {
  }

  static void send(HttpServerRequest request, Refusal refusal, String why) {
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

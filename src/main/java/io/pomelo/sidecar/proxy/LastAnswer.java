package io.pomelo.sidecar.proxy;

import io.netty.util.AttributeKey;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * An answer the sidecar makes itself (a refusal, a 404 to an upgrade, a 502 or 504) is the connection's last: it says
 * {@code Connection: close}, the connection closes once it is written, and a request the client pipelined behind it
 * is never served. Vert.x decides keep-alive from the request's headers alone and would dispatch that next request,
 * so the mark is kept on the channel and {@link RouteDispatch} looks at it first.
 */
final class LastAnswer {

  private static final AttributeKey<Boolean> GIVEN = AttributeKey.valueOf("pomelo-sidecar.last-answer");

  private LastAnswer() {
  }

  /** Marks the connection and returns the response with {@code Connection: close} set, to be ended by {@link #end}. */
  static HttpServerResponse begin(HttpServerRequest request) {
    ClientSocket.channelOf(request.connection()).attr(GIVEN).set(Boolean.TRUE);
    return request.response().putHeader(HttpHeaders.CONNECTION, "close");
  }

  /** Ends the response begun by {@link #begin} with {@code body}, then closes the connection. */
  static void end(HttpServerRequest request, String body) {
    request.response().end(body).onComplete(v -> request.connection().close());
  }

  /** True when the connection already had its last answer: whatever the client sent after it is dropped. */
  static boolean given(HttpServerRequest request) {
    return ClientSocket.channelOf(request.connection()).hasAttr(GIVEN);
  }
}

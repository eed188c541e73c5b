package io.pomelo.sidecar.proxy;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * The one writer of the answers the sidecar makes up itself (refusals, 404, 502, 504): the status, then a body of
 * {@code "<status> <reason>\n"} in plain text. Nearly all are the connection's {@link LastAnswer}; only a 404 to a
 * plain request leaves the connection open for the next one.
 */
final class PlainAnswer {

  static final String CONTENT_TYPE = "text/plain; charset=utf-8";

  private PlainAnswer() {
  }

  /** The body of every such answer: {@code reason} starts with the status's own phrase ("Bad Gateway: …"). */
  static String text(int status, String reason) {
    return status + " " + reason + "\n";
  }

  /** Answers {@code status} and closes the connection; one whose answer was already begun is closed at once. */
  static void last(HttpServerRequest request, int status, String reason) {
    last(request, status, reason, null, null);
  }

  /** As {@link #last(HttpServerRequest, int, String)}, with one more header when {@code name} is not null. */
  static void last(HttpServerRequest request, int status, String reason, CharSequence name, CharSequence value) {
    HttpServerResponse response = request.response();
    if (response.headWritten() || response.ended()) {
      request.connection().close();
      return;
    }
    LastAnswer.begin(request).setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, CONTENT_TYPE);
    if (name != null) {
      response.putHeader(name, value);
    }
    LastAnswer.end(request, text(status, reason));
  }

  /** Answers {@code status} and leaves the connection open: nothing about the request made it unusable. */
  static void keepingOpen(HttpServerRequest request, int status, String reason) {
    request.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, CONTENT_TYPE)
      .end(text(status, reason));
  }
}

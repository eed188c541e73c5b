package io.pomelo.sidecar.acme;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What the plain-HTTP port answers: a known HTTP-01 challenge with its key authorization, everything else with a
 * redirect to https (301 for GET and HEAD, as nginx does, and 308 otherwise so the method is kept), or 404 when
 * there is no name to redirect to. A request with a body, more than one Host, or a target that is not a safe path is
 * refused with 400 and the connection closed: this port reads no bodies, and what it cannot copy it does not guess.
 */
final class PlainRequests implements Handler<HttpServerRequest> {

  static final String CHALLENGE_PREFIX = "/.well-known/acme-challenge/";

  private static final Logger LOG = LoggerFactory.getLogger(PlainRequests.class);
  private static final String TEXT = "text/plain";

  private final HttpChallenges challenges;
  private final RedirectTarget redirect;
  private final OpenConnections connections;
  private final int headerCount;

  PlainRequests(HttpChallenges challenges, RedirectTarget redirect, OpenConnections connections, int headerCount) {
    this.challenges = challenges;
    this.redirect = redirect;
    this.connections = connections;
    this.headerCount = headerCount;
  }

  @Override
  public void handle(HttpServerRequest request) {
    if (!connections.headComplete(request)) {
      return;
    }
    MultiMap headers = request.headers();
    if (headerCount > 0 && headers.size() > headerCount) {
      last(request, 431, "more than " + headerCount + " header fields");
      return;
    }
    if (hasBody(headers)) {
      last(request, 400, "a body");
      return;
    }
    List<String> hosts = headers.getAll(HttpHeaders.HOST);
    if (hosts.size() > 1 || hosts.isEmpty() && request.version() == HttpVersion.HTTP_1_1) {
      last(request, 400, hosts.size() + " Host headers");
      return;
    }
    String uri = request.uri();
    int query = uri.indexOf('?');
    String path = query < 0 ? uri : uri.substring(0, query);
    HttpMethod method = request.method();
    boolean readOnly = method == HttpMethod.GET || method == HttpMethod.HEAD;
    if (path.startsWith(CHALLENGE_PREFIX)) {
      answerChallenge(request, path.substring(CHALLENGE_PREFIX.length()), readOnly);
      return;
    }
    if (!redirect.enabled()) {
      request.response().setStatusCode(404).end();
      return;
    }
    String location = redirect.location(hosts.isEmpty() ? null : hosts.get(0), uri);
    if (location == null) {
      last(request, 400, "a request target that is not a plain path");
      return;
    }
    request.response().setStatusCode(readOnly ? 301 : 308).putHeader(HttpHeaders.LOCATION, location).end();
  }

  private void answerChallenge(HttpServerRequest request, String token, boolean readOnly) {
    if (!readOnly) {
      request.response().setStatusCode(405).putHeader(HttpHeaders.ALLOW, "GET, HEAD").end();
      return;
    }
    String keyAuthorization = challenges.answer(token);
    if (keyAuthorization == null) {
      request.response().setStatusCode(404).end();
      return;
    }
    LOG.debug("Answered the HTTP-01 challenge for token {}", token);
    HttpServerResponse response = request.response().setStatusCode(200).putHeader(HttpHeaders.CONTENT_TYPE, TEXT);
    if (request.method() == HttpMethod.HEAD) {
      // A HEAD answer carries the GET answer's length (RFC 9110 9.3.2); Vert.x leaves it out when there is no body.
      response.putHeader(HttpHeaders.CONTENT_LENGTH,
        String.valueOf(keyAuthorization.getBytes(StandardCharsets.UTF_8).length)).end();
    } else {
      response.end(keyAuthorization);
    }
  }

  /** Any Transfer-Encoding, or a Content-Length other than 0: this port never reads a body, so it never expects one. */
  private static boolean hasBody(MultiMap headers) {
    if (headers.contains(HttpHeaders.TRANSFER_ENCODING)) {
      return true;
    }
    for (String length : headers.getAll(HttpHeaders.CONTENT_LENGTH)) {
      if (!length.trim().equals("0")) {
        return true;
      }
    }
    return false;
  }

  /** Answers {@code status} with {@code Connection: close} and closes the connection once it is written. */
  private void last(HttpServerRequest request, int status, String why) {
    LOG.debug("Refused a plain-HTTP request with {}: {}", status, why);
    connections.lastAnswer(request);
    request.response().setStatusCode(status).putHeader(HttpHeaders.CONNECTION, "close").end()
      .onComplete(v -> request.connection().close());
  }
}

package io.pomelo.sidecar.admin;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Lets a request through only with {@code Authorization: Bearer <admin token>}. The comparison is of SHA-256
 * digests with {@link MessageDigest#isEqual}, which takes the same time wherever the first difference is, and
 * digests hide the token's length too. The token itself is kept only as its digest, so no toString or heap dump of
 * this object shows it.
 */
final class BearerToken implements Handler<RoutingContext> {

  private static final String SCHEME = "Bearer ";

  private final byte[] expected;

  BearerToken(String token) {
    this.expected = sha256(token);
  }

  @Override
  public void handle(RoutingContext ctx) {
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    boolean present = header != null && header.regionMatches(true, 0, SCHEME, 0, SCHEME.length());
    if (present && MessageDigest.isEqual(expected, sha256(header.substring(SCHEME.length()).trim()))) {
      ctx.next();
      return;
    }
    ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"pomelo-sidecar\"");
    AdminListener.error(ctx, 401, present ? "wrong token" : "this endpoint needs Authorization: Bearer <admin token>");
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }
}

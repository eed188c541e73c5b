package io.pomelo.sidecar.admin;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Refuses with 403 a request that changes something (any method but GET and HEAD) when a browser says it was sent
 * by another site: an {@code Origin} other than this listener's own ({@code http://} or {@code https://} and the
 * Host the request was sent to, which {@link AdminHosts} has checked), or {@code Sec-Fetch-Site: cross-site} or
 * {@code same-site} (which is what a page on another port of this host, a development server on localhost:3000,
 * gets). Any page can make a browser POST to 127.0.0.1, since a form post needs no CORS preflight;
 * curl and scripts send neither header and pass. It runs before the token check, so that a page of another site
 * that has the token (pasted into some dashboard, say) is refused too.
 */
final class SameOriginWrites implements Handler<RoutingContext> {

  private static final String FETCH_SITE = "Sec-Fetch-Site";

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String evidence = request.method() == HttpMethod.GET || request.method() == HttpMethod.HEAD ? null
      : anotherSite(request);
    if (evidence == null) {
      ctx.next();
      return;
    }
    AdminListener.error(ctx, 403, "a browser sent this " + request.method() + " from another site (" + evidence
      + "); the admin API changes nothing for another site's page");
  }

  /** The header that shows the request came from another site, as a header line; null when none does. */
  private static String anotherSite(HttpServerRequest request) {
    String site = request.getHeader(FETCH_SITE);
    if ("cross-site".equalsIgnoreCase(site) || "same-site".equalsIgnoreCase(site)) {
      return FETCH_SITE + ": " + site;
    }
    String origin = request.getHeader(HttpHeaders.ORIGIN);
    if (origin == null) {
      return null;
    }
    String host = request.getHeader(HttpHeaders.HOST);
    boolean own = host != null
      && (origin.equalsIgnoreCase("http://" + host) || origin.equalsIgnoreCase("https://" + host));
    return own ? null : "Origin: " + origin;
  }
}

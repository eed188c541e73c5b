package io.pomelo.sidecar.admin;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The dashboard: one HTML page, its stylesheet, its script and its icon, read from the jar once and served from memory (a
 * static handler would copy them out of the jar into a cache directory, which a service's working directory may not
 * allow). The files hold no data, so they are served without the token, behind the same Host and same-origin checks
 * as the API; the page asks for the token when the API answers 401 and sends it on every fetch it makes.
 * {@code /} leads to it.
 */
final class DashboardPage {

  static final String PATH = "/dashboard/";

  /** Nothing but this listener's own files and fetches; no inline script or style, no framing. */
  static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
    + "img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private final Buffer html = resource("index.html");
  private final Buffer css = resource("dashboard.css");
  private final Buffer js = resource("dashboard.js");
  private final Buffer icon = resource("favicon.svg");

  void route(Router router) {
    // Vert.x Web lets "/dashboard" match "/dashboard/" too: only the exact paths are sent on, or it would loop.
    router.getWithRegex("/|/dashboard").handler(ctx -> ctx.response().setStatusCode(302).putHeader("Location", PATH)
      .end());
    router.get(PATH).handler(ctx -> serve(ctx, "text/html; charset=utf-8", html));
    router.get(PATH + "dashboard.css").handler(ctx -> serve(ctx, "text/css; charset=utf-8", css));
    router.get(PATH + "dashboard.js").handler(ctx -> serve(ctx, "text/javascript; charset=utf-8", js));
    router.get(PATH + "favicon.svg").handler(ctx -> serve(ctx, "image/svg+xml", icon));
  }

  private static void serve(RoutingContext ctx, String type, Buffer body) {
    ctx.response()
      .putHeader("Content-Type", type)
      .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
      .putHeader("X-Content-Type-Options", "nosniff")
      .putHeader("X-Frame-Options", "DENY")
      .putHeader("Referrer-Policy", "no-referrer")
      // A new jar brings new files: the browser asks again rather than mixing an old script with a new API.
      .putHeader("Cache-Control", "no-cache")
      .end(body);
  }

  private static Buffer resource(String name) {
    try (InputStream in = DashboardPage.class.getResourceAsStream("/dashboard/" + name)) {
      if (in == null) {
        throw new IllegalStateException("dashboard/" + name + " is missing from the jar");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

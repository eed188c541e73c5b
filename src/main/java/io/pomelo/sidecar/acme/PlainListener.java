package io.pomelo.sidecar.acme;

import io.pomelo.sidecar.config.LimitsConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The plain-HTTP port (80 in production): answers ACME HTTP-01 challenges and redirects everything else to https
 * ({@link PlainRequests}). HTTP/1.x only, with the public port's head limits ({@code limits.requestLine}: 414,
 * {@code limits.headerSize} and {@code limits.headerCount}: 431), its head and keep-alive clocks and its cap on open
 * connections ({@link OpenConnections}). Keep-alive is honoured; every refusal closes the connection.
 *
 * <p>The connection cap counts this instance's connections: deploy one instance (port 80 carries little).
 */
public final class PlainListener extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(PlainListener.class);

  private final String host;
  private final int port;
  private final HttpChallenges challenges;
  private final RedirectTarget redirect;
  private final LimitsConfig limits;
  private HttpServer server;

  /**
   * @param redirectNames the names requests are redirected to: the one the Host header names, else the first; none
   *                      turns redirects off (404)
   * @param httpsPort     the port in the redirect; 443 is left out
   * @throws IllegalArgumentException when a name is not a DNS name or the port is out of range
   */
  public PlainListener(String host, int port, HttpChallenges challenges, List<String> redirectNames, int httpsPort,
                       LimitsConfig limits) {
    this.host = host;
    this.port = port;
    this.challenges = challenges;
    this.redirect = new RedirectTarget(redirectNames, httpsPort);
    this.limits = limits;
  }

  @Override
  public Future<?> start() {
    OpenConnections connections = new OpenConnections(vertx, limits.connections(),
      limits.requestHeadTimeout().toMillis(), limits.keepAliveTimeout().toMillis());
    HttpServerOptions options = new HttpServerOptions()
      .setHost(host)
      .setPort(port)
      .setMaxInitialLineLength(limits.requestLine())
      .setMaxHeaderSize(limits.headerSize())
      // No h2c: an HTTP/2 preface would get a protocol none of the limits above are written for.
      .setHttp2ClearTextEnabled(false)
      .setCompressionSupported(false)
      .setDecompressionSupported(false)
      .setHandle100ContinueAutomatically(false)
      .setTcpNoDelay(true)
      // Every answer is written on the connection's event loop.
      .setStrictThreadMode(true);
    server = vertx.createHttpServer(options)
      .connectionHandler(connections::connected)
      .invalidRequestHandler(PlainListener::invalid)
      .exceptionHandler(cause -> LOG.debug("Plain-HTTP connection failed", cause))
      .requestHandler(new PlainRequests(challenges, redirect, connections, limits.headerCount()));
    return server.listen();
  }

  /** The bound port (differs from the configured one when that was 0). */
  public int actualPort() {
    return server.actualPort();
  }

  /** Vert.x answers 414, 431 or 400 and closes; this only notes it. */
  private static void invalid(HttpServerRequest request) {
    LOG.debug("Plain-HTTP request Netty could not decode: {}", String.valueOf(request.decoderResult().cause()));
    HttpServerRequest.DEFAULT_INVALID_REQUEST_HANDLER.handle(request);
  }
}

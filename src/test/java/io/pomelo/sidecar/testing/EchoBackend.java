package io.pomelo.sidecar.testing;

import io.pomelo.sidecar.config.CertificateConfig;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.PemKeyCertOptions;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real WebSocket server on loopback standing in for a Pomelo connector: echoes text and binary frames, prefixed
 * with its name so a test can tell which backend answered; "close:CODE" makes it close with that code; plain HTTP
 * requests get their path and the forwarded headers back.
 */
public final class EchoBackend {

  private final String name;
  private final HttpServer server;
  private final List<MultiMap> upgradeHeaders = new CopyOnWriteArrayList<>();
  private final List<String> upgradePaths = new CopyOnWriteArrayList<>();
  private final List<String> httpUris = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Short> closeFromClient = new CompletableFuture<>();
  private final List<String> serverNames = new CopyOnWriteArrayList<>();

  private EchoBackend(String name, HttpServer server) {
    this.name = name;
    this.server = server;
  }

  public static Future<EchoBackend> start(Vertx vertx, String name, String... subProtocols) {
    return startOn(vertx, name, 0, subProtocols);
  }

  /** On a given port: a server that went down comes back where servers.json says it is. */
  public static Future<EchoBackend> start(Vertx vertx, String name, int port, String... subProtocols) {
    return startOn(vertx, name, port, subProtocols);
  }

  /** A backend whose connector speaks TLS itself (Pomelo's {@code connectorConfig.ssl}), with this certificate. */
  public static Future<EchoBackend> startTls(Vertx vertx, String name, CertificateConfig certificate) {
    return start(vertx, name, new HttpServerOptions().setHost("127.0.0.1").setPort(0).setSsl(true).setSni(true)
      .setKeyCertOptions(new PemKeyCertOptions().setCertPath(certificate.certFile().toString())
        .setKeyPath(certificate.keyFile().toString())));
  }

  /** On a given port: a server that restarts comes back where it was. */
  public static Future<EchoBackend> startOn(Vertx vertx, String name, int port, String... subProtocols) {
    return start(vertx, name, new HttpServerOptions().setHost("127.0.0.1").setPort(port)
      .setWebSocketSubProtocols(List.of(subProtocols)));
  }

  private static Future<EchoBackend> start(Vertx vertx, String name, HttpServerOptions options) {
    HttpServer server = vertx.createHttpServer(options);
    EchoBackend backend = new EchoBackend(name, server);
    // Recorded before the 101 is written, so a test that saw the 101 finds the upgrade already recorded.
    server.webSocketHandshakeHandler(handshake -> {
      backend.upgradePaths.add(handshake.uri());
      handshake.accept();
    });
    server.webSocketHandler(backend::serve);
    server.requestHandler(req -> {
      backend.httpUris.add(req.uri());
      backend.serverNames.add(String.valueOf(req.connection().indicatedServerName()));
      req.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain")
        .end(name + " " + req.method() + " " + req.uri() + " xff=" + req.getHeader("X-Forwarded-For")
          + " proto=" + req.getHeader("X-Forwarded-Proto") + " host=" + req.getHeader("Host"));
    });
    return server.listen().map(backend);
  }

  private void serve(ServerWebSocket ws) {
    upgradeHeaders.add(MultiMap.caseInsensitiveMultiMap().addAll(ws.headers()));
    serverNames.add(ws.isSsl() && ws.sslSession() instanceof javax.net.ssl.ExtendedSSLSession tls
      && !tls.getRequestedServerNames().isEmpty()
      ? ((javax.net.ssl.SNIHostName) tls.getRequestedServerNames().get(0)).getAsciiName() : "null");
    ws.textMessageHandler(text -> {
      if (text.startsWith("close:")) {
        ws.close(Short.parseShort(text.substring(6)), "backend closes");
      } else {
        ws.writeTextMessage(name + ":" + text);
      }
    });
    ws.binaryMessageHandler(ws::writeBinaryMessage);
    ws.closeHandler(v -> {
      if (ws.closeStatusCode() != null) {
        closeFromClient.complete(ws.closeStatusCode());
      }
    });
  }

  /** The SNI name of each upgrade and request, {@code null} when none (or the backend is plain). */
  public List<String> serverNames() {
    return List.copyOf(serverNames);
  }

  public int port() {
    return server.actualPort();
  }

  public String name() {
    return name;
  }

  public List<MultiMap> upgradeHeaders() {
    return upgradeHeaders;
  }

  public List<String> upgradePaths() {
    return upgradePaths;
  }

  /** The URI of every plain HTTP request this backend answered. */
  public List<String> httpUris() {
    return httpUris;
  }

  /** Completes with the close code of the first client-initiated close this backend saw. */
  public CompletableFuture<Short> closeFromClient() {
    return closeFromClient;
  }

  public Future<Void> close() {
    return server.close();
  }
}

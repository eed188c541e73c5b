package io.pomelo.sidecar.proxy;

import io.pomelo.sidecar.backend.LiveState;
import io.pomelo.sidecar.backend.ServerDialer;
import io.pomelo.sidecar.backend.TargetChoice;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.route.ActiveRoutes;
import io.pomelo.sidecar.tls.BackendTrust;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.net.ServerSSLOptions;

/**
 * The public TLS port. One instance runs per event loop; Vert.x spreads accepted connections over them, and each
 * instance dials Pomelo from its own loop, so a tunnel's two sockets share a thread.
 */
public final class PublicListener extends VerticleBase {

  private final SidecarConfig config;
  private final ServerSSLOptions tls;
  private final ActiveRoutes routes;
  private final Tunnels tunnels;
  private final LiveState live;
  private final ConnectionLimiter limiter;
  private final Refusals refusals;
  private final SSLEngineOptions engine;
  private HttpServer server;
  private HttpClient client;

  /**
   * @param live     counts and health, shared by every event loop's listener
   * @param limiter  shared by every event loop's listener: the connection counts are per process
   * @param refusals shared too: where every refusal is counted
   * @param engine   the TLS engine, with the process's session ticket keys
   */
  public PublicListener(SidecarConfig config, ServerSSLOptions tls, ActiveRoutes routes, Tunnels tunnels,
                        LiveState live, ConnectionLimiter limiter, Refusals refusals, SSLEngineOptions engine) {
    this.config = config;
    this.tls = tls;
    this.routes = routes;
    this.tunnels = tunnels;
    this.live = live;
    this.limiter = limiter;
    this.refusals = refusals;
    this.engine = engine;
  }

  @Override
  public Future<?> start() {
    client = vertx.httpClientBuilder()
      .with(new HttpClientOptions()
        .setConnectTimeout((int) config.proxy().connectTimeout().toMillis())
        .setTcpNoDelay(true)
        .setTcpKeepAlive(true)
        .setDecompressionSupported(false)
        .setKeepAlive(true))
      // Plain requests only (upgrades dial their own sockets), and Vert.x allocates the slot array up front: a
      // small cap per server and event loop costs little memory, and requests beyond it wait.
      .with(new PoolOptions().setHttp1MaxSize(1024).setMaxWaitQueueSize(-1))
      .build();

    long timeout = config.proxy().upgradeTimeout().toMillis();
    BackendTrust backendTrust = new BackendTrust(config.proxy().backendTls());
    RequestLimits limits = new RequestLimits(config.limits(), refusals);
    RequestHeadTimeout headTimeout = new RequestHeadTimeout(vertx, config.limits().requestHeadTimeout().toMillis(),
      config.limits().keepAliveTimeout().toMillis(), refusals);
    ClientAddress clients = new ClientAddress(config.clients());
    ConnectionGate gate = new ConnectionGate(limiter, headTimeout, clients, refusals);
    RouteDispatch dispatch = new RouteDispatch(routes,
      new UpgradeForwarding(vertx,
        new BackendUpgradeRequest(new ServerDialer((VertxInternal) vertx, config.proxy().connectTimeout(), backendTrust)),
        tunnels, timeout, live, new AccessLog(config.accessLog().enabled()), refusals, clients),
      new HttpForwarding(client, backendTrust.httpOptions(), live.sessions(), config.proxy().connectTimeout().toMillis(),
        config.proxy().responseTimeout().toMillis(), clients), new TargetChoice(live), headTimeout,
      new RequestChecks(gate, limits, new WeChatOrigin(config.wechat()), refusals));
    HttpServerOptions options = limits.applyTo(new HttpServerOptions()
      .setHost(config.listen().host())
      .setPort(config.listen().port())
      .setSsl(true)
      // Behind PROXY protocol the balancer is the only peer known at accept: ConnectionGate counts after the header.
      .setSslEngineOptions(config.clients().proxyProtocol() ? engine : AcceptCounting.around(engine, limiter))
      .setUseProxyProtocol(config.clients().proxyProtocol())
      .setProxyProtocolTimeout(config.clients().proxyHeaderTimeout().toMillis())
      .setProxyProtocolTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS)
      .setKeyCertOptions(tls.getKeyCertOptions())
      .setTrustOptions(tls.getTrustOptions())
      .setSni(tls.isSni())
      .setEnabledSecureTransportProtocols(tls.getEnabledSecureTransportProtocols())
      .setTcpNoDelay(true)
      .setTcpKeepAlive(true)
      .setCompressionSupported(false)
      // Every request is answered on its connection's event loop (the upgrade, the forwarding, the refusals), so
      // Vert.x may write directly, without a multi-producer queue held by every open connection.
      .setStrictThreadMode(true)
      .setHandle100ContinueAutomatically(false));
    // HttpServerOptions takes the TLS options field by field; without the suites the bind would get Netty's defaults.
    tls.getEnabledCipherSuites().forEach(options::addEnabledCipherSuite);
    server = vertx.createHttpServer(options)
      .connectionHandler(gate::connected)
      .invalidRequestHandler(limits.invalidRequestHandler())
      .exceptionHandler(limits.connectionFailureHandler())
      .requestHandler(dispatch);
    return server.listen();
  }

  @Override
  public Future<?> stop() {
    return client == null ? Future.succeededFuture() : client.close();
  }

  /**
   * Stops accepting connections now. Open WebSockets are left alone (an upgraded socket ignores the shutdown
   * notice) until {@code timeout}, when Vert.x closes whatever is still open; the caller drains before that.
   */
  public Future<Void> stopAccepting(java.time.Duration timeout) {
    return server.shutdown(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /** The bound port (differs from the configured one when that was 0). */
  public int actualPort() {
    return server.actualPort();
  }

  /** Replaces the certificates for new handshakes; open connections keep their sessions. */
  public Future<Boolean> updateTls(ServerSSLOptions options) {
    return server.updateSSLOptions(options, true);
  }
}

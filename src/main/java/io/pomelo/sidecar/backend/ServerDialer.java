package io.pomelo.sidecar.backend;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.SslHandler;
import io.pomelo.sidecar.config.BackendTlsConfig;
import io.pomelo.sidecar.route.Target;
import io.pomelo.sidecar.tls.BackendTrust;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.SocketAddress;

import java.time.Duration;
import javax.net.ssl.SSLException;

/**
 * Opens a plain Netty channel to a Pomelo server on the caller's event loop, with Vert.x's transport (epoll) and
 * name resolver, so a host name in servers.json never blocks the loop. It is the one way the sidecar dials a
 * server: the upgrade's backend half and the health check both use it, so a check sees exactly what an upgrade's
 * connect would (options, resolver, timeout), and in service the check runs code the upgrades keep compiled.
 */
public final class ServerDialer {

  /** The name of the TLS handler in a backend channel's pipeline, first so every other handler sees plain bytes. */
  public static final String TLS_HANDLER = "backend-tls";

  private final VertxInternal vertx;
  /** Everything but the event loop, set once: each connect clones it onto the caller's loop. */
  private final Bootstrap template;
  private final BackendTrust trust;
  private final Duration connectTimeout;

  public ServerDialer(VertxInternal vertx, Duration connectTimeout) {
    this(vertx, connectTimeout, new BackendTrust(BackendTlsConfig.defaults()));
  }

  /** @param trust how a TLS target's certificate is checked; its handshake is bounded by {@code connectTimeout} */
  public ServerDialer(VertxInternal vertx, Duration connectTimeout, BackendTrust trust) {
    this.vertx = vertx;
    this.trust = trust;
    this.connectTimeout = connectTimeout;
    this.template = new Bootstrap()
      .channelFactory(vertx.transport().channelFactory(false))
      .resolver(vertx.nameResolver().nettyAddressResolverGroup())
      .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
      .option(ChannelOption.TCP_NODELAY, true)
      // Finds a Pomelo server that died without a FIN (host down, cable out) under an idle tunnel.
      .option(ChannelOption.SO_KEEPALIVE, true)
      .handler(new ChannelInitializer<>() {
        @Override
        protected void initChannel(Channel channel) {
          // The caller adds its handlers once connected.
        }
      });
  }

  /**
   * Completes on the caller's context with the connected channel; for a TLS target only once the TLS handshake
   * (with verification) has completed, so its caller writes nothing before. Fails when TCP cannot connect, or the
   * handshake fails or does not finish within the connect timeout.
   */
  public Future<Channel> connect(Target target) {
    if (!target.tls()) {
      return connect(target.host(), target.port());
    }
    return connect(target.host(), target.port()).compose(channel -> {
      Promise<Channel> secured = vertx.getOrCreateContext().promise();
      SslHandler ssl = trust.handler(channel.alloc(), target.serverName(), target.port(), connectTimeout);
      channel.pipeline().addFirst(TLS_HANDLER, ssl);
      ssl.handshakeFuture().addListener(done -> {
        if (done.isSuccess()) {
          secured.complete(channel);
        } else {
          channel.close();
          secured.fail(new SSLException("TLS handshake with " + target.serverName() + " failed: "
            + reason(done.cause()), done.cause()));
        }
      });
      return secured.future();
    });
  }

  /** The innermost message: a verification failure is wrapped twice by the JDK and Netty. */
  private static String reason(Throwable cause) {
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return String.valueOf(root.getMessage());
  }

  /** Completes on the caller's context with the connected channel; fails only when TCP cannot connect. */
  public Future<Channel> connect(String host, int port) {
    ContextInternal context = vertx.getOrCreateContext();
    Promise<Channel> connected = context.promise();
    ChannelFuture dialled = template.clone(context.nettyEventLoop())
      .connect(vertx.transport().convert(SocketAddress.inetSocketAddress(port, host)));
    dialled.addListener(done -> {
      if (done.isSuccess()) {
        connected.complete(dialled.channel());
      } else {
        connected.fail(done.cause());
      }
    });
    return connected.future();
  }
}

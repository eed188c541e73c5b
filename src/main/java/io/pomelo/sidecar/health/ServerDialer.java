package io.pomelo.sidecar.health;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.SocketAddress;

import java.time.Duration;

/**
 * Opens a plain Netty channel to a Pomelo server on the caller's event loop, with Vert.x's transport (epoll) and
 * name resolver, so a host name in servers.json never blocks the loop. It is the one way the sidecar dials a
 * server: the upgrade's backend half and the health check both use it, so a check sees exactly what an upgrade's
 * connect would (options, resolver, timeout), and in service the check runs code the upgrades keep compiled.
 */
public final class ServerDialer {

  private final VertxInternal vertx;
  /** Everything but the event loop, set once: each connect clones it onto the caller's loop. */
  private final Bootstrap template;

  public ServerDialer(VertxInternal vertx, Duration connectTimeout) {
    this.vertx = vertx;
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

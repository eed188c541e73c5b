package io.pomelo.sidecar.run;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.config.ListenerConfig;
import io.pomelo.sidecar.systemd.ListenFds;
import io.vertx.core.Future;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.ClientOptionsBase;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Serving on the listening sockets systemd passed ({@link ListenFds}) instead of binding new ones. Vert.x 5 has no
 * way to listen on an existing socket: {@code HttpServer.listen} always resolves an address and asks Netty to bind
 * it. What it does offer is its transport SPI ({@code VertxBuilder.withTransport}), whose
 * {@code serverChannelFactory} makes the server channel that bind goes to. This transport is Vert.x's own epoll
 * transport except there: while a listener that has an inherited socket starts ({@link #listen}), the next server
 * channel wraps the inherited descriptor ({@code new EpollServerSocketChannel(fd)}, Netty's public constructor for
 * that), and the bind that follows is answered at the head of its pipeline, after checking it asks for the very
 * address the socket listens on. Should a Vert.x release stop asking the factory, the listener's start fails with
 * that reason instead of binding a socket of its own.
 */
public final class InheritedListeners implements Transport {

  private static final Logger LOG = LoggerFactory.getLogger(InheritedListeners.class);

  private final Map<String, ListenFds.Inherited> sockets;
  private final Map<String, InetSocketAddress> addresses;
  private final io.vertx.core.spi.transport.Transport epoll = Transport.EPOLL.implementation();
  /** The socket the next server channel wraps, while one listener starts. */
  private final AtomicReference<ListenFds.Inherited> next = new AtomicReference<>();
  private final AtomicReference<ListenFds.Inherited> taken = new AtomicReference<>();

  private InheritedListeners(Map<String, ListenFds.Inherited> sockets, Map<String, InetSocketAddress> addresses) {
    this.sockets = Map.copyOf(sockets);
    this.addresses = Map.copyOf(addresses);
  }

  /** No inherited sockets: every listener binds its own. */
  public static InheritedListeners none() {
    return new InheritedListeners(Map.of(), Map.of());
  }

  /**
   * The sockets systemd passed this process, checked; none outside socket activation.
   *
   * @throws IllegalArgumentException when they are passed but cannot be served on, with the reason
   */
  public static InheritedListeners fromEnvironment(Map<String, String> env, long pid) {
    Map<String, ListenFds.Inherited> sockets = ListenFds.byListener(ListenFds.parse(env, pid));
    Map<String, InetSocketAddress> addresses = new java.util.HashMap<>();
    sockets.forEach((listener, socket) -> addresses.put(listener, ListenFds.listeningAddress(socket)));
    return new InheritedListeners(sockets, addresses);
  }

  /** True when systemd passed at least one socket. */
  public boolean any() {
    return !sockets.isEmpty();
  }

  /**
   * {@code config} with each inherited socket's address in place of listen.host/port and admin.host/port: the
   * listeners then ask Vert.x for exactly that address, and the admin API's Host and token rules judge the address
   * it really serves on.
   */
  public SidecarConfig applyTo(SidecarConfig config) {
    SidecarConfig applied = config;
    InetSocketAddress publicAddress = addresses.get(ListenFds.PUBLIC);
    if (publicAddress != null) {
      applied = applied.withListen(listener(publicAddress));
    }
    InetSocketAddress adminAddress = addresses.get(ListenFds.ADMIN);
    if (adminAddress != null) {
      applied = applied.withAdmin(applied.admin().withListener(listener(adminAddress)));
    }
    return applied;
  }

  /** Says, once at start, what systemd passed and what it replaces. */
  public void announce(SidecarConfig configured) {
    addresses.forEach((listener, address) -> {
      ListenerConfig wanted = listener.equals(ListenFds.PUBLIC) ? configured.listen()
        : configured.admin().listener();
      LOG.info("the {} listener serves on the socket systemd passed (fd {}, {}:{}){}", listener,
        sockets.get(listener).fd(), address.getAddress().getHostAddress(), address.getPort(),
        wanted.port() == address.getPort() ? "" : "; sidecar.yaml's " + wanted.host() + ":" + wanted.port()
          + " is not used");
    });
  }

  /**
   * Runs {@code start}, which binds one server, so that its server channel is the inherited socket for
   * {@code listener} when there is one; without one, {@code start} binds as usual.
   */
  <T> Future<T> listen(String listener, Supplier<Future<T>> start) {
    ListenFds.Inherited socket = sockets.get(listener);
    if (socket == null) {
      return start.get();
    }
    next.set(socket);
    return start.get().<T>transform(ar -> {
      boolean used = taken.getAndSet(null) == socket;
      next.set(null);
      if (ar.succeeded() && !used) {
        return Future.<T>failedFuture("the " + listener + " listener bound a socket of its own instead of the one"
          + " systemd passed (fd " + socket.fd() + "): this Vert.x no longer makes server channels through its"
          + " transport's serverChannelFactory");
      }
      return (Future<T>) ar;
    });
  }

  private static ListenerConfig listener(InetSocketAddress address) {
    return new ListenerConfig(address.getAddress().getHostAddress(), address.getPort());
  }

  private ServerChannel serverChannel(ChannelFactory<? extends ServerChannel> usual) {
    ListenFds.Inherited socket = next.getAndSet(null);
    if (socket == null) {
      return usual.newChannel();
    }
    taken.set(socket);
    EpollServerSocketChannel channel = new EpollServerSocketChannel(socket.fd());
    channel.pipeline().addFirst(new AlreadyBound(channel.localAddress()));
    return channel;
  }

  /** Answers the bind Vert.x asks for on an inherited socket, which listens already, without binding again. */
  private static final class AlreadyBound extends ChannelOutboundHandlerAdapter {

    private final InetSocketAddress own;

    AlreadyBound(InetSocketAddress own) {
      this.own = own;
    }

    @Override
    public void bind(ChannelHandlerContext ctx, SocketAddress requested, ChannelPromise promise) {
      ctx.pipeline().remove(this);
      if (requested instanceof InetSocketAddress asked && asked.getPort() == own.getPort()
        && asked.getAddress() != null && asked.getAddress().equals(own.getAddress())) {
        promise.setSuccess();
      } else {
        promise.setFailure(new BindException("asked to bind " + requested + " on the socket systemd passed, which"
          + " listens on " + own));
      }
    }
  }

  @Override
  public String name() {
    return "epoll";
  }

  @Override
  public boolean available() {
    return Transport.EPOLL.available();
  }

  @Override
  public Throwable unavailabilityCause() {
    return Transport.EPOLL.unavailabilityCause();
  }

  @Override
  public io.vertx.core.spi.transport.Transport implementation() {
    return new io.vertx.core.spi.transport.Transport() {
      @Override
      public boolean supportsDomainSockets() {
        return epoll.supportsDomainSockets();
      }

      @Override
      public boolean supportFileRegion() {
        return epoll.supportFileRegion();
      }

      @Override
      public boolean isAvailable() {
        return epoll.isAvailable();
      }

      @Override
      public Throwable unavailabilityCause() {
        return epoll.unavailabilityCause();
      }

      @Override
      public SocketAddress convert(io.vertx.core.net.SocketAddress address) {
        return epoll.convert(address);
      }

      @Override
      public io.vertx.core.net.SocketAddress convert(SocketAddress address) {
        return epoll.convert(address);
      }

      @Override
      public IoHandlerFactory ioHandlerFactory() {
        return epoll.ioHandlerFactory();
      }

      @Override
      public EventLoopGroup eventLoopGroup(int type, int nThreads, ThreadFactory threadFactory, int ioRatio) {
        return epoll.eventLoopGroup(type, nThreads, threadFactory, ioRatio);
      }

      @Override
      public DatagramChannel datagramChannel() {
        return epoll.datagramChannel();
      }

      @Override
      public DatagramChannel datagramChannel(InternetProtocolFamily family) {
        return epoll.datagramChannel(family);
      }

      @Override
      public ChannelFactory<? extends Channel> channelFactory(boolean domainSocket) {
        return epoll.channelFactory(domainSocket);
      }

      @Override
      public ChannelFactory<? extends ServerChannel> serverChannelFactory(boolean domainSocket) {
        ChannelFactory<? extends ServerChannel> usual = epoll.serverChannelFactory(domainSocket);
        return domainSocket ? usual : () -> serverChannel(usual);
      }

      @Override
      public void configure(DatagramChannel channel, DatagramSocketOptions options) {
        epoll.configure(channel, options);
      }

      @Override
      public void configure(ClientOptionsBase options, int connectTimeout, boolean domainSocket,
                            Bootstrap bootstrap) {
        epoll.configure(options, connectTimeout, domainSocket, bootstrap);
      }

      @Override
      public void configure(NetServerOptions options, boolean domainSocket, ServerBootstrap bootstrap) {
        epoll.configure(options, domainSocket, bootstrap);
      }
    };
  }
}

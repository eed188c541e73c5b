package io.pomelo.sidecar.systemd;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The datagram socket to systemd's NOTIFY_SOCKET. Java 17 has no Unix datagram sockets, so this uses Netty's native
 * epoll transport, which the proxy uses anyway. It owns one daemon thread, so a forgotten close never holds the JVM up.
 */
final class NotifySocket implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(NotifySocket.class);

  private final String name;
  private final DomainSocketAddress target;
  private final EventLoopGroup group;
  private final Channel channel;
  private final AtomicBoolean failureReported = new AtomicBoolean();

  private NotifySocket(String name, DomainSocketAddress target, EventLoopGroup group, Channel channel) {
    this.name = name;
    this.target = target;
    this.group = group;
    this.channel = channel;
  }

  /**
   * Opens a socket that sends to {@code notifySocket} (NOTIFY_SOCKET's value), or empty when that value or this
   * platform cannot be used; the reason is logged, since a service that never reports READY is killed by systemd.
   */
  @SuppressWarnings("deprecation") // DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION: Netty 4.2 keeps it; 5 will not.
  static Optional<NotifySocket> open(String notifySocket) {
    Optional<DomainSocketAddress> target = address(notifySocket);
    if (target.isEmpty()) {
      LOG.warn("NOTIFY_SOCKET '{}' is neither an absolute path nor an abstract socket (@name); not notifying systemd",
        notifySocket);
      return Optional.empty();
    }
    if (!Epoll.isAvailable()) {
      LOG.warn("native epoll is unavailable, so systemd cannot be notified", Epoll.unavailabilityCause());
      return Optional.empty();
    }
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("systemd-notify", true),
      EpollIoHandler.newFactory());
    // Unbound and unconnected: each datagram names its recipient, as sd_notify does, so a socket that systemd
    // re-creates (daemon-reexec) keeps working. Active on registration because Netty only writes on active channels.
    Channel channel = new Bootstrap()
      .group(group)
      .channel(EpollDomainDatagramChannel.class)
      .option(ChannelOption.DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION, true)
      .handler(new ChannelHandlerAdapter() { })
      .register()
      .syncUninterruptibly()
      .channel();
    return Optional.of(new NotifySocket(notifySocket, target.get(), group, channel));
  }

  /** NOTIFY_SOCKET is a file system path, or a Linux abstract socket written with a leading '@'. */
  static Optional<DomainSocketAddress> address(String notifySocket) {
    if (notifySocket.startsWith("/")) {
      return Optional.of(new DomainSocketAddress(notifySocket));
    }
    if (notifySocket.length() > 1 && notifySocket.startsWith("@")) {
      // Netty passes the path bytes with their exact length, so a leading NUL reaches the abstract namespace.
      return Optional.of(new DomainSocketAddress("\0" + notifySocket.substring(1)));
    }
    return Optional.empty();
  }

  /** Sends one datagram without waiting; a failure is logged, at WARN the first time only (the watchdog repeats). */
  void send(String message) {
    DomainDatagramPacket packet =
      new DomainDatagramPacket(Unpooled.copiedBuffer(message, StandardCharsets.UTF_8), target);
    channel.writeAndFlush(packet).addListener(sent -> {
      if (!sent.isSuccess()) {
        if (failureReported.compareAndSet(false, true)) {
          LOG.warn("notifying systemd at {} failed", name, sent.cause());
        } else {
          LOG.debug("notifying systemd at {} failed again: {}", name, sent.cause().toString());
        }
      }
    });
  }

  /** The thread that sends; the watchdog schedules on it. */
  EventLoop eventLoop() {
    return channel.eventLoop();
  }

  /** Closes after the datagrams already handed to {@link #send} are written: they are queued on the same thread. */
  @Override
  public void close() {
    channel.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
  }
}

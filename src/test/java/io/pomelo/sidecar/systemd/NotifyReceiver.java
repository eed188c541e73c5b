package io.pomelo.sidecar.systemd;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Plays systemd's side of NOTIFY_SOCKET: a bound Unix datagram socket that queues what it receives. */
final class NotifyReceiver implements AutoCloseable {

  /** A datagram and when it arrived, on the monotonic clock. */
  record Datagram(String text, long receivedNanos) { }

  private final EventLoopGroup group =
    new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
  private final BlockingQueue<Datagram> received = new LinkedBlockingQueue<>();
  private final Channel channel;

  /** @param path a file system path, or "\0name" for the abstract namespace */
  NotifyReceiver(String path) {
    channel = new Bootstrap()
      .group(group)
      .channel(EpollDomainDatagramChannel.class)
      .handler(new SimpleChannelInboundHandler<DomainDatagramPacket>() {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DomainDatagramPacket packet) {
          received.add(new Datagram(packet.content().toString(StandardCharsets.UTF_8), System.nanoTime()));
        }
      })
      .bind(new DomainSocketAddress(path))
      .syncUninterruptibly()
      .channel();
  }

  /** The next datagram, waiting at most {@code timeout}; null when none came. */
  Datagram next(Duration timeout) throws InterruptedException {
    return received.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  String nextText() throws InterruptedException {
    Datagram datagram = next(Duration.ofSeconds(5));
    if (datagram == null) {
      throw new AssertionError("no datagram within 5 s");
    }
    return datagram.text();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}

package io.pomelo.sidecar.tls;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import io.pomelo.sidecar.config.CertificateConfig;
import io.pomelo.sidecar.config.KeyExchangeGroup;
import io.pomelo.sidecar.config.ReloadConfig;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.config.TlsConfig;
import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.state.ReloadOutcome;
import io.pomelo.sidecar.state.ReloadRequest;
import io.pomelo.sidecar.testing.EchoBackend;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.pomelo.sidecar.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code tls.groups} decides which key exchanges the public port agrees to: each client here offers exactly one group
 * (BoringSSL, TLS 1.3), so a handshake succeeds only when the sidecar's list has it. The default list takes the
 * post-quantum hybrid as well as the classic groups; a certificate reload builds a new context and keeps the list.
 */
class KeyExchangeGroupsTest {

  private static EventLoopGroup clientLoop;

  @TempDir
  Path dir;

  private Vertx vertx;
  private TestSidecar fixture;
  private SidecarConfig base;

  @BeforeAll
  static void loop() {
    clientLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }

  @AfterAll
  static void stopLoop() {
    clientLoop.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private Sidecar start(List<KeyExchangeGroup> groups, AtomicReference<Future<SidecarConfig>> next) throws Exception {
    vertx = Vertx.vertx();
    EchoBackend gate = await(EchoBackend.start(vertx, "gate"));
    fixture = new TestSidecar(dir);
    base = fixture.config(fixture.serversJson(Map.of("gate-server-1", Map.entry("gate", gate.port()))), List.of())
      .withReload(new ReloadConfig(false, ReloadConfig.RemovedRoutes.DRAIN, ReloadConfig.defaults().closeAfter()));
    base = base.withTls(base.tls().withGroups(groups));
    next.set(Future.succeededFuture(base));
    return await(Sidecar.start(vertx, base, next::get, Map.of()));
  }

  @AfterEach
  void stop() throws Exception {
    if (vertx != null) {
      await(vertx.close());
    }
  }

  @Test
  void theDefaultAgreesToThePostQuantumHybridAndToEachClassicGroup() throws Exception {
    Sidecar sidecar = start(KeyExchangeGroup.DEFAULTS, new AtomicReference<>());
    for (String group : List.of("X25519MLKEM768", "X25519", "P-256", "P-384", "P-521")) {
      assertThat(agrees(sidecar.publicPort(), group)).as(group).isTrue();
    }
  }

  @Test
  void aShorterListRefusesWhatItLeavesOut() throws Exception {
    Sidecar sidecar = start(List.of(KeyExchangeGroup.X25519, KeyExchangeGroup.P256), new AtomicReference<>());
    assertThat(agrees(sidecar.publicPort(), "X25519")).isTrue();
    assertThat(agrees(sidecar.publicPort(), "P-256")).isTrue();
    assertThat(agrees(sidecar.publicPort(), "X25519MLKEM768")).as("left out").isFalse();
    assertThat(agrees(sidecar.publicPort(), "P-384")).as("left out").isFalse();
  }

  @Test
  void aCertificateReloadKeepsTheList() throws Exception {
    AtomicReference<Future<SidecarConfig>> next = new AtomicReference<>();
    Sidecar sidecar = start(List.of(KeyExchangeGroup.P256), next);
    CertificateConfig other = SelfSignedCertificate.write(dir.resolve("other.pem"), dir.resolve("other.key"),
      List.of("other.test"), Instant.now(), Duration.ofDays(1));
    next.set(Future.succeededFuture(base.withTls(new TlsConfig(List.of(other), null, null, base.tls().groups()))));
    ReloadOutcome outcome = await(sidecar.requestReload(ReloadRequest.everything("SIGHUP")));
    assertThat(outcome.certificatesReloaded()).isTrue();

    assertThat(agrees(sidecar.publicPort(), "P-256")).isTrue();
    assertThat(agrees(sidecar.publicPort(), "X25519")).as("still left out after the reload").isFalse();
  }

  /** Whether a TLS 1.3 handshake offering only {@code group} completes. */
  private static boolean agrees(int port, String group) throws Exception {
    SslContext context = SslContextBuilder.forClient()
      .sslProvider(SslProvider.OPENSSL)
      .trustManager(InsecureTrustManagerFactory.INSTANCE)
      .protocols("TLSv1.3")
      .option(OpenSslContextOption.GROUPS, new String[]{group})
      .build();
    // Kept from here: a refused handshake can close the channel, emptying its pipeline, before connect() returns.
    AtomicReference<SslHandler> tls = new AtomicReference<>();
    try {
      Channel channel = new Bootstrap().group(clientLoop).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            tls.set(context.newHandler(ch.alloc(), "localhost", port));
            ch.pipeline().addLast(tls.get());
          }
        })
        .connect(InetAddress.getLoopbackAddress(), port).sync().channel();
      try {
        io.netty.util.concurrent.Future<Channel> handshake = tls.get().handshakeFuture();
        assertThat(handshake.await(10, TimeUnit.SECONDS)).as("the handshake ended").isTrue();
        return handshake.isSuccess();
      } finally {
        channel.close().sync();
      }
    } finally {
      ReferenceCountUtil.release(context);
    }
  }
}

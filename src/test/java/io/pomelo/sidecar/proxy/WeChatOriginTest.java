package io.pomelo.sidecar.proxy;

import io.pomelo.sidecar.config.WeChatConfig;
import io.pomelo.sidecar.testing.EchoBackend;
import io.pomelo.sidecar.testing.RawTls;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.pomelo.sidecar.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/** The WeChat mini-program allow-list, through the real TLS listener. */
class WeChatOriginTest {

  private static final String APP = "wx0123456789abcdef";

  @TempDir
  Path dir;

  private Vertx vertx;
  private EchoBackend gate;

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  private RawTls sidecar(WeChatConfig wechat) throws Exception {
    vertx = Vertx.vertx();
    gate = await(EchoBackend.start(vertx, "gate"));
    TestSidecar fixture = new TestSidecar(dir);
    var sidecar = await(fixture.start(vertx, fixture.config(fixture.serversJson(
      Map.of("gate-server-1", Map.entry("gate", gate.port()))), List.of()).withWeChat(wechat)));
    return new RawTls(fixture.certificate().certFile(), sidecar.publicPort());
  }

  private static int upgrade(RawTls raw, String referer) throws Exception {
    return RawTls.status(raw.exchange(RawTls.upgrade("/gate/", referer == null ? "" : "Referer: " + referer + "\r\n")));
  }

  private static String referer(String app, String version) {
    return "https://servicewechat.com/" + app + "/" + version + "/page-frame.html";
  }

  @Test
  void onlyAllowedReleasedMiniProgramsMayUpgrade() throws Exception {
    RawTls raw = sidecar(new WeChatConfig(List.of(APP), false));
    assertThat(upgrade(raw, referer(APP, "12"))).isEqualTo(101);
    assertThat(upgrade(raw, referer("wxffffffffffffffff", "12"))).isEqualTo(403);
    assertThat(upgrade(raw, referer(APP, "0"))).as("development build").isEqualTo(403);
    assertThat(upgrade(raw, referer(APP, "devtools"))).as("developer tools").isEqualTo(403);
    assertThat(upgrade(raw, null)).isEqualTo(403);
    assertThat(upgrade(raw, "https://evil.example.com/" + APP + "/12/page-frame.html")).isEqualTo(403);
    assertThat(upgrade(raw, "https://servicewechat.com/")).as("a shortened Referer").isEqualTo(403);
    assertThat(gate.upgradePaths()).hasSize(1);
    // Plain HTTP is not checked: the list is about WebSocket upgrades.
    assertThat(RawTls.status(raw.exchange(RawTls.get("/gate/")))).isEqualTo(200);
  }

  @Test
  void developmentBuildsMayUpgradeWhenAllowed() throws Exception {
    RawTls raw = sidecar(new WeChatConfig(List.of(APP), true));
    assertThat(upgrade(raw, referer(APP, "0"))).isEqualTo(101);
    assertThat(upgrade(raw, referer(APP, "devtools"))).isEqualTo(101);
    assertThat(upgrade(raw, referer("wxffffffffffffffff", "0"))).isEqualTo(403);
  }

  @Test
  void offByDefault() throws Exception {
    RawTls raw = sidecar(WeChatConfig.defaults());
    assertThat(upgrade(raw, null)).isEqualTo(101);
    assertThat(upgrade(raw, "https://evil.example.com/")).isEqualTo(101);
  }
}

package io.pomelo.sidecar.e2e;

import io.pomelo.sidecar.config.BackendTls;
import io.pomelo.sidecar.config.CertificateConfig;
import io.pomelo.sidecar.config.DialAddress;
import io.pomelo.sidecar.config.HealthConfig;
import io.pomelo.sidecar.config.ProxyConfig;
import io.pomelo.sidecar.config.RoutesConfig;
import io.pomelo.sidecar.config.TypeRoutesConfig;
import io.pomelo.sidecar.testing.Await;
import io.pomelo.sidecar.testing.Closer;
import io.pomelo.sidecar.testing.RsaCertificate;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.pomelo.sidecar.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real Pomelo 2.2.7 hybridconnector with {@code connectorConfig.ssl} on (it speaks TLS itself) behind the sidecar:
 * the sidecar re-encrypts towards it, verifying its certificate against a CA file by the name {@code pomelo.test}
 * (the host dialled is 127.0.0.1), and the client speaks Pomelo's unmodified protocol over wss to the sidecar.
 */
final class PomeloWssThroughSidecarTest {

  private static final String ENTRY = "wss.entryHandler.entry";
  private static final String CLIENT_ADDRESS = "127.0.0.2";
  private static final String SERVER_NAME = "pomelo.test";

  @TempDir
  static Path workDir;
  private static final Closer opened = new Closer();
  private static ClusterBehindSidecar pomelo;
  private static HttpClient admin;

  @BeforeAll
  static void start() throws Exception {
    CertificateConfig connectorCertificate = RsaCertificate.write(workDir.resolve("pomelo.crt"),
      workDir.resolve("pomelo.key"), SERVER_NAME);
    RoutesConfig routes = new RoutesConfig(false, DialAddress.HOST, Map.of(
      "wss", new TypeRoutesConfig(null, null, null, null, new BackendTls(true, SERVER_NAME))), List.of(), Map.of());
    ProxyConfig proxy = new ProxyConfig(Duration.ofSeconds(3), Duration.ofSeconds(10), Duration.ofSeconds(60),
      TestSidecar.backendTrust(connectorCertificate.certFile()));
    pomelo = opened.add(ClusterBehindSidecar.start(workDir, dir -> PomeloCluster.startWss(dir, connectorCertificate),
      (fixture, cluster) -> fixture.config(cluster.serversJson(), routes, proxy)
        .withHealth(new HealthConfig(true, Duration.ofMillis(200), Duration.ofSeconds(2)))));
    admin = pomelo.vertx().createHttpClient();
  }

  @AfterAll
  static void stop() throws Exception {
    opened.close();
  }

  @Test
  void requestResponseAndPushCrossTheReEncryptedTunnelWithTheClientsAddress() throws Exception {
    PomeloClient client = await(PomeloClient.connect(pomelo.vertx(),
      URI.create("wss://127.0.0.1:" + pomelo.sidecar().publicPort() + "/" + PomeloCluster.WSS_ID + "/"),
      clientOptions()));
    try {
      Future<JsonObject> push = client.nextPush("onEntry");
      JsonObject response = await(client.request(ENTRY, new JsonObject().put("uid", 7).put("msg", "over tls")));
      assertThat(response.getInteger("code")).isEqualTo(200);
      assertThat(response.getString("serverId")).isEqualTo(PomeloCluster.WSS_ID);
      assertThat(response.getString("echo")).isEqualTo("over tls");
      // The X-Real-IP the sidecar added to the upgrade reached the app inside the connector's TLS.
      assertThat(response.getString("clientIp")).isEqualTo(CLIENT_ADDRESS);
      JsonObject pushed = await(push);
      assertThat(pushed.getString("serverId")).isEqualTo(PomeloCluster.WSS_ID);
      assertThat(pushed.getString("uid")).isEqualTo("7");
    } finally {
      await(client.close());
    }
  }

  @Test
  void theAdminApiShowsTheTlsTargetHealthyByItsVerifiedHandshake() throws Exception {
    JsonObject target = Await.untilPresent("wss-server-1 healthy in /api/routes",
      () -> adminTarget().map(t -> "healthy".equals(t.getString("health")) ? t : null));
    assertThat(target.getBoolean("tls")).isTrue();
    assertThat(target.getString("tlsServerName")).isEqualTo(SERVER_NAME);
    assertThat(target.getString("lastError")).isNull();
  }

  /** wss-server-1's entry in {@code GET /api/routes}, or null when it is not there. */
  private static Future<JsonObject> adminTarget() {
    return admin.request(HttpMethod.GET, pomelo.sidecar().adminPort(), "127.0.0.1", "/api/routes")
      .compose(request -> request.send()).compose(response -> response.body()).map(body -> {
        for (Object route : new JsonArray(body)) {
          for (Object target : ((JsonObject) route).getJsonArray("targets")) {
            if (PomeloCluster.WSS_ID.equals(((JsonObject) target).getString("id"))) {
              return (JsonObject) target;
            }
          }
        }
        return null;
      });
  }

  /** Trusts only the sidecar's test certificate; binds the client side to {@link #CLIENT_ADDRESS}. */
  private static WebSocketClientOptions clientOptions() {
    return new WebSocketClientOptions()
      .setVerifyHost(true)
      .setTrustOptions(new PemTrustOptions().addCertPath(pomelo.fixture().certificate().certFile().toString()))
      .setLocalAddress(CLIENT_ADDRESS);
  }
}

package io.pomelo.sidecar.e2e;

import io.pomelo.sidecar.config.AliasConfig;
import io.pomelo.sidecar.config.ClientsConfig;
import io.pomelo.sidecar.config.LimitsConfig;
import io.pomelo.sidecar.testing.Closer;
import io.pomelo.sidecar.testing.Ports;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.pomelo.sidecar.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real HAProxy in TCP mode with {@code send-proxy-v2} in front of a sidecar over a real Pomelo cluster: the
 * configuration is the README's "Behind a load balancer" example, read from the README, with the test's ports.
 * HAProxy connects to the sidecar from 127.0.0.1, the one trusted source; game clients connect to HAProxy from
 * 127.0.0.3 and 127.0.0.4, and the Pomelo app must report those, which it can only have learnt from the PROXY header
 * through the sidecar.
 */
final class PomeloBehindHaproxyTest {

  private static final String ENTRY = "connector.entryHandler.entry";

  @TempDir
  static Path workDir;
  private static final Closer opened = new Closer();
  private static ClusterBehindSidecar pomelo;
  private static int haproxyPort;

  @BeforeAll
  static void start() throws Exception {
    pomelo = opened.add(ClusterBehindSidecar.start(workDir, PomeloCluster::start, (fixture, cluster) ->
      fixture.config(cluster.serversJson(), List.of(new AliasConfig("/conn/", "connector", null, null)))
        // One connection per client address: two clients behind one balancer must not share a count.
        .withLimits(LimitsConfig.defaults().withConnections(0, 1, 0))
        .withClients(ClientsConfig.defaults().withProxyProtocol(List.of("127.0.0.1/32")))));
    haproxyPort = Ports.free();
    opened.add(Haproxy.start(workDir, haproxyConfig(haproxyPort, pomelo.sidecar().publicPort(),
      pomelo.sidecar().adminPort()), haproxyPort));
  }

  @AfterAll
  static void stop() throws Exception {
    opened.close();
  }

  /**
   * The README's example, read from the README itself so the two cannot drift apart: its bind and its server lines
   * are replaced by the test's loopback ports, one sidecar.
   */
  static String haproxyConfig(int listenPort, int sidecarPort, int adminPort) throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    int frontend = readme.indexOf("frontend pomelo_tls");
    int start = readme.lastIndexOf("```", frontend) + 3;
    String example = readme.substring(start, readme.indexOf("```", frontend)).strip();
    assertThat(example).as("the README's HAProxy example").contains("send-proxy-v2", "option httpchk GET /readyz");
    String server = "  server sidecar1 127.0.0.1:" + sidecarPort + " send-proxy-v2 check port " + adminPort
      + " inter 2s";
    String config = example.replace("bind :443", "bind 127.0.0.1:" + listenPort)
      .replaceFirst("(?m)^  server .*$", server).replaceAll("(?m)^  server sidecar[2-9].*\\R?", "") + "\n";
    // Nothing but loopback is ever dialled from a test.
    assertThat(config).as("the test's HAProxy configuration").doesNotContainPattern("\\b10\\.0\\.");
    return config;
  }

  @Test
  void thePomeloAppSeesEachClientsOwnAddressThroughHaproxy() throws Exception {
    assertThat(enterFrom("127.0.0.3", 50)).isEqualTo("127.0.0.3");
    assertThat(enterFrom("127.0.0.4", 51)).isEqualTo("127.0.0.4");
  }

  /** Enters a connector through HAProxy from {@code source} and returns the client address the app answered. */
  private static String enterFrom(String source, int uid) throws Exception {
    WebSocketClientOptions options = new WebSocketClientOptions()
      .setVerifyHost(true)
      .setTrustOptions(new PemTrustOptions().addCertPath(pomelo.fixture().certificate().certFile().toString()))
      .setLocalAddress(source);
    PomeloClient client = await(PomeloClient.connect(pomelo.vertx(),
      URI.create("wss://127.0.0.1:" + haproxyPort + "/conn/"), options));
    try {
      JsonObject response = await(client.request(ENTRY, new JsonObject().put("uid", uid).put("msg", "hi")));
      assertThat(response.getString("serverId")).isIn(PomeloCluster.CONNECTOR_IDS);
      return response.getString("clientIp");
    } finally {
      await(client.close());
    }
  }
}

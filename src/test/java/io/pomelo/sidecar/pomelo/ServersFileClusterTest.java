package io.pomelo.sidecar.pomelo;

import static org.assertj.core.api.Assertions.assertThat;

import io.pomelo.sidecar.config.ConfigProblem;
import io.pomelo.sidecar.pomelo.JsValue.JsArray;
import io.pomelo.sidecar.pomelo.JsValue.JsNumber;
import io.pomelo.sidecar.pomelo.JsValue.JsObject;
import io.pomelo.sidecar.pomelo.JsValue.JsString;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * clusterCount as Pomelo 2.2.7's utils.loadCluster expands it. The expected values of cluster.json were checked
 * by running Pomelo's own loadServers and loadCluster source under Node on the same file.
 */
class ServersFileClusterTest {

  @Test
  void expandsEntriesNumberingAcrossAllClusterEntriesOfAType() throws Exception {
    ServersFile file = ServersJson.parseFixture("cluster.json", "production");

    // cluster-server-connector-1 is gone: chat[1] reuses that id, and Pomelo keeps the later server.
    assertThat(file.frontends()).containsExactly(
      new FrontendServer("cluster-server-connector-0", "connector", "127.0.0.1", null, 3050),
      new FrontendServer("cluster-server-connector-2", "connector", "127.0.0.1", null, 3052),
      new FrontendServer("connector-plain", "connector", "127.0.0.1", null, 3100),
      new FrontendServer("cluster-server-connector-3", "connector", "127.0.0.2", null, 3060),
      new FrontendServer("cluster-server-connector-4", "connector", "127.0.0.2", null, 3061));
    // 3 + 1 + 2 connectors, 2 areas, 3 chats, one of which replaced a connector.
    assertThat(file.serverCount()).isEqualTo(10);
    assertThat(file.warnings()).containsExactly("cluster.json: production.chat[1]: duplicate id"
      + " \"cluster-server-connector-1\", also at production.connector[0]; Pomelo keeps only this later server");
  }

  @Test
  void increasesPlusPlusFieldsAndCopiesTheRest() {
    ServerMap map = load("""
      {"area": [{"id": "own-id", "host": "127.0.0.1", "port": "6050++", "clusterCount": "2", "area": "1++",
                 "args": "--max-old-space-size=512 --x++", "opts": ["a", "b"]}]}""");

    List<ServerMap.Entry> entries = map.entries();
    assertThat(entries).extracting(ServerMap.Entry::id).containsExactly("cluster-server-area-0", "cluster-server-area-1");
    JsObject second = entries.get(1).server();
    assertThat(second.get("port")).isEqualTo(new JsNumber(6051));
    assertThat(second.get("area")).isEqualTo(new JsNumber(2));
    assertThat(second.get("host")).isEqualTo(new JsString("127.0.0.1"));
    assertThat(second.get("opts")).isEqualTo(new JsArray(List.of(new JsString("a"), new JsString("b"))));
    assertThat(second.get("serverType")).isEqualTo(new JsString("area"));
    assertThat(entries.get(0).place()).isEqualTo("area[0]");
    // Pomelo's test is "contains ++ after the first character", and parseInt stops at the first non-digit.
    assertThat(second.get("args")).matches(v -> v instanceof JsNumber n && Double.isNaN(n.value()));
  }

  @Test
  void followsPomelosCodeForPlusPlusInsideAValue() throws Exception {
    ServersFile file = ServersJson.parse("""
      {"gate": [{"id": "9++", "host": "127.0.0.1", "clientPort": "30++50", "frontend": true, "clusterCount": "2"},
                {"host": "127.0.0.1", "clientPort": " 0x10++", "frontend": true, "clusterCount": 1}]}""",
      "development");

    // An id with ++ overrides the generated one; "30++50" is parseInt("30++") = 30; parseInt reads hex.
    assertThat(file.frontends()).containsExactly(
      new FrontendServer("9", "gate", "127.0.0.1", null, 30),
      new FrontendServer("10", "gate", "127.0.0.1", null, 31),
      new FrontendServer("cluster-server-gate-2", "gate", "127.0.0.1", null, 16));
  }

  @Test
  void clusterCountZeroIsAnOrdinaryServerBecausePomeloTestsTruthiness() throws Exception {
    ServersFile file = ServersJson.parse("""
      {"gate": [{"id": "gate-1", "host": "127.0.0.1", "clientPort": 3014, "frontend": true, "clusterCount": 0}]}""",
      "development");

    assertThat(file.frontends()).extracting(FrontendServer::id).containsExactly("gate-1");
  }

  @Test
  void refusesAClusterCountThatIsNotAWholeNumberOfServers() {
    List<ConfigProblem> problems = ServersJson.problems("""
      {"connector": [
        {"host": "h", "clientPort": "3050++", "frontend": true, "clusterCount": "two"},
        {"host": "h", "clientPort": "3060++", "frontend": true, "clusterCount": 2.5},
        {"host": "h", "clientPort": "3070++", "frontend": true, "clusterCount": "0"},
        {"host": "h", "clientPort": "3080++", "frontend": true, "clusterCount": 100000}
      ]}""", "development");

    assertThat(problems).extracting(ConfigProblem::place).containsExactly(
      "connector[0].clusterCount", "connector[1].clusterCount", "connector[2].clusterCount",
      "connector[3].clusterCount");
    assertThat(problems).extracting(ConfigProblem::value).containsExactly("\"two\"", "2.5", "\"0\"", "100000");
  }

  @Test
  void refusesNullInAClusterEntryWherePomeloWouldCrash() {
    List<ConfigProblem> problems = ServersJson.problems("""
      {"connector": [{"host": "h", "clientPort": "3050++", "frontend": true, "clusterCount": 2, "clientHost": null}]}""",
      "development");

    assertThat(problems).singleElement().satisfies(p -> {
      assertThat(p.place()).isEqualTo("connector[0].clientHost");
      assertThat(p.rule()).contains("crashes");
    });
  }

  @Test
  void namesTheGeneratedServerWhenItsPortIsOutOfRange() {
    List<ConfigProblem> problems = ServersJson.problems("""
      {"connector": [{"host": "h", "clientPort": "65535++", "frontend": true, "clusterCount": 2}]}""", "development");

    assertThat(problems).singleElement().satisfies(p -> {
      assertThat(p.place()).isEqualTo("connector[0].clientPort");
      assertThat(p.value()).isEqualTo("65536");
      assertThat(p.rule()).contains("cluster-server-connector-1");
    });
  }

  @Test
  void parseIntIsJavaScripts() {
    assertThat(ClusterExpansion.parseInt("3050")).isEqualTo(3050);
    assertThat(ClusterExpansion.parseInt("  -12abc")).isEqualTo(-12);
    assertThat(ClusterExpansion.parseInt("0x1F")).isEqualTo(31);
    assertThat(ClusterExpansion.parseInt("3.9")).isEqualTo(3);
    assertThat(ClusterExpansion.parseInt("abc")).isNaN();
    assertThat(ClusterExpansion.parseInt("")).isNaN();
    assertThat(ClusterExpansion.parseInt("\u0663")).as("Arabic-Indic digits are not digits to parseInt").isNaN();
  }

  private static ServerMap load(String json) {
    JsObject root = (JsObject) parseTree(json);
    Findings findings = new Findings("servers.json");
    ServerMap map = ServerMap.load(root, "", findings);
    assertThat(findings.problemCount()).isZero();
    return map;
  }

  private static JsValue parseTree(String json) {
    try {
      return JsonTreeReader.read("servers.json", json.getBytes(java.nio.charset.StandardCharsets.UTF_8)).root();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}

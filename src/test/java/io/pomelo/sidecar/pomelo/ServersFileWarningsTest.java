package io.pomelo.sidecar.pomelo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What Pomelo accepts but an operator should hear about. */
class ServersFileWarningsTest {

  @Test
  void duplicateIdKeepsTheLastServerInTheFirstPositionAndNamesBothPlaces() throws Exception {
    ServersFile file = ServersJson.parse("""
      {"production": {
        "connector": [
          {"id": "connector-1", "host": "10.0.0.1", "clientPort": 3050, "frontend": true},
          {"id": "connector-2", "host": "10.0.0.1", "clientPort": 3051, "frontend": true}
        ],
        "gate": [{"id": "connector-1", "host": "10.0.0.9", "clientPort": 3014, "frontend": true}]
      }}""", "production");

    assertThat(file.frontends()).containsExactly(
      new FrontendServer("connector-1", "gate", "10.0.0.9", null, 3014),
      new FrontendServer("connector-2", "connector", "10.0.0.1", null, 3051));
    assertThat(file.serverCount()).isEqualTo(2);
    assertThat(file.warnings()).containsExactly("servers.json: production.gate[0]: duplicate id \"connector-1\","
      + " also at production.connector[0]; Pomelo keeps only this later server");
  }

  @Test
  void wsPortWithoutFrontendIsNotAFrontendAndSaysWhy() throws Exception {
    ServersFile file = ServersJson.parse("""
      {"connector": [
        {"id": "old", "host": "127.0.0.1", "port": 3150, "wsPort": 3010},
        {"id": "new", "host": "127.0.0.1", "port": 3151, "wsPort": 3011, "clientPort": 3011, "frontend": true}
      ]}""", "development");

    assertThat(file.frontends()).extracting(FrontendServer::id).containsExactly("new");
    assertThat(file.warnings()).hasSize(2);
    assertThat(file.warnings().get(0)).startsWith("servers.json: connector[0].wsPort: is deprecated and ignored")
      .contains("without \"frontend\": true");
    assertThat(file.warnings().get(1)).startsWith("servers.json: connector[1].wsPort: is deprecated and ignored")
      .contains("clientPort");
  }

  @Test
  void twoFrontendsOnOneHostAndClientPort() throws Exception {
    ServersFile file = ServersJson.parse("""
      {"gate": [{"id": "gate-1", "host": "127.0.0.1", "clientPort": 3014, "frontend": true}],
       "connector": [
         {"id": "connector-1", "host": "127.0.0.1", "clientPort": "3014", "frontend": true},
         {"id": "connector-2", "host": "127.0.0.2", "clientPort": 3014, "frontend": true}
       ]}""", "development");

    assertThat(file.frontends()).hasSize(3);
    assertThat(file.warnings()).containsExactly("servers.json: connector[0]: frontend servers gate-1 (gate[0]),"
      + " connector-1 (connector[0]) share host and clientPort 127.0.0.1:3014; Pomelo can start only one of them");
  }

  @Test
  void aSettingsBlockBesideTheServersIsSkippedAsPomeloDoes() throws Exception {
    ServersFile file = ServersJson.parse("""
      {"nats": {"url": "nats://localhost:4222"},
       "connector": [{"id": "c", "host": "0.0.0.0", "clientPort": 12000, "frontend": true, "serverType": "gateway"}]}""",
      "development");

    assertThat(file.frontends()).containsExactly(new FrontendServer("c", "connector", "0.0.0.0", null, 12000));
    assertThat(file.serverCount()).isEqualTo(1);
    assertThat(file.warnings()).containsExactly(
      "servers.json: nats: is not an array of servers; Pomelo skips it",
      "servers.json: connector[0].serverType: is \"gateway\" but Pomelo replaces it with \"connector\","
        + " the key it is listed under");
  }

  @Test
  void aRepeatedKeyKeepsTheLastValue() throws Exception {
    ServersFile file = ServersJson.parse("""
      {"gate": [{"id": "gate-1", "host": "h", "clientPort": 3014, "frontend": true}],
       "gate": [{"id": "gate-2", "host": "h", "clientPort": 3015, "frontend": true}]}""", "development");

    assertThat(file.frontends()).extracting(FrontendServer::id).containsExactly("gate-2");
    assertThat(file.warnings()).containsExactly(
      "servers.json: gate: key appears more than once; Pomelo (JSON.parse) keeps only the last value");
  }

  @Test
  void noFrontendAtAll() throws Exception {
    ServersFile file = ServersJson.parse("{\"production\": {\"chat\": [{\"id\": \"chat-1\", \"host\": \"h\"}]}}",
      "production");

    assertThat(file.frontends()).isEmpty();
    assertThat(file.serverCount()).isEqualTo(1);
    assertThat(file.warnings()).containsExactly(
      "servers.json: production: no frontend servers in environment \"production\"; the sidecar has nothing to expose");
  }
}

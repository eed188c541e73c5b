package io.pomelo.sidecar.route;

import io.pomelo.sidecar.config.AliasConfig;
import io.pomelo.sidecar.config.BackendTls;
import io.pomelo.sidecar.config.ConfigException;
import io.pomelo.sidecar.config.DialAddress;
import io.pomelo.sidecar.config.RoutesConfig;
import io.pomelo.sidecar.config.ServerRoutesConfig;
import io.pomelo.sidecar.config.TypeRoutesConfig;
import io.pomelo.sidecar.pomelo.FrontendServer;
import io.pomelo.sidecar.pomelo.ServersFile;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RoutePlannerTest {

  private static final FrontendServer GATE = new FrontendServer("gate-server-1", "gate", "127.0.0.1", null, 3014);
  private static final FrontendServer C1 = new FrontendServer("connector-server-1", "connector", "0.0.0.0", null, 3050);
  private static final FrontendServer C2 = new FrontendServer("connector-server-2", "connector", "10.0.0.5",
    "127.0.0.2", 3051);

  private static ServersFile servers(FrontendServer... frontends) {
    return new ServersFile(Path.of("config/servers.json"), "production", List.of(frontends), frontends.length,
      List.of(), "");
  }

  private static RoutesConfig routes(List<AliasConfig> aliases) {
    return new RoutesConfig(false, DialAddress.HOST, Map.of(), aliases, Map.of());
  }

  private static RouteTable plan(RoutesConfig config, FrontendServer... frontends) throws ConfigException {
    return new RoutePlanner(config, "sidecar.yaml").plan(servers(frontends)).table();
  }

  @Test
  void everyServerAndEveryTypeGetsAPathAndAliasesFollow() throws Exception {
    RouteTable table = plan(routes(List.of(new AliasConfig("/conn/", "connector", null, null),
      new AliasConfig("/c2/", null, "connector-server-2", true))), GATE, C1, C2);
    assertThat(table.routes()).extracting(Route::path, r -> r.kind().label())
      .containsExactly(
        org.assertj.core.groups.Tuple.tuple("/gate-server-1/", "server"),
        org.assertj.core.groups.Tuple.tuple("/connector-server-1/", "server"),
        org.assertj.core.groups.Tuple.tuple("/connector-server-2/", "server"),
        org.assertj.core.groups.Tuple.tuple("/gate/", "type"),
        org.assertj.core.groups.Tuple.tuple("/connector/", "type"),
        org.assertj.core.groups.Tuple.tuple("/conn/", "alias"),
        org.assertj.core.groups.Tuple.tuple("/c2/", "alias"));
    assertThat(table.byPath("/connector/").targets()).extracting(Target::serverId)
      .containsExactly("connector-server-1", "connector-server-2");
    assertThat(table.byPath("/conn/").targets()).hasSize(2);
    assertThat(table.byPath("/c2/").targets()).extracting(Target::serverId).containsExactly("connector-server-2");
    assertThat(table.byPath("/c2/").stripPrefix()).isTrue();
    assertThat(table.byPath("/conn/").stripPrefix()).isFalse();
  }

  @Test
  void backendTlsComesFromTheAliasThenTheServerThenTheType() throws Exception {
    RoutesConfig routes = new RoutesConfig(false, DialAddress.HOST,
      Map.of("connector", new TypeRoutesConfig(null, null, null, null, new BackendTls(true, "connector.internal"))),
      List.of(new AliasConfig("/plain/", "connector", null, null, new BackendTls(false, null)),
        new AliasConfig("/named/", null, "connector-server-1", null, new BackendTls(null, "alias.internal"))),
      Map.of(), false, Duration.ZERO, false,
      Map.of("connector-server-2", new ServerRoutesConfig(new BackendTls(false, null))));
    RouteTable table = plan(routes, GATE, C1, C2);

    assertThat(table.byPath("/gate/").targets()).allSatisfy(t -> assertThat(t.tls()).isFalse());
    Target one = table.byPath("/connector-server-1/").targets().get(0);
    assertThat(one.tls()).isTrue();
    assertThat(one.serverName()).isEqualTo("connector.internal");
    assertThat(table.byPath("/connector-server-2/").targets().get(0).tls()).as("the server's own setting").isFalse();
    assertThat(table.byPath("/connector/").targets()).extracting(Target::tls).containsExactly(true, false);
    assertThat(table.byPath("/plain/").targets()).extracting(Target::tls).containsExactly(false, false);
    Target named = table.byPath("/named/").targets().get(0);
    assertThat(named.tls()).as("inherited from the type").isTrue();
    assertThat(named.serverName()).isEqualTo("alias.internal");
  }

  @Test
  void wildcardHostsAreDialledOnLoopback() throws Exception {
    RouteTable table = plan(routes(List.of()), C1,
      new FrontendServer("v6", "v6", "::", null, 1), new FrontendServer("b", "b", "[2001:db8::1]", null, 2));
    assertThat(table.byPath("/connector-server-1/").targets().get(0).host()).isEqualTo("127.0.0.1");
    assertThat(table.byPath("/v6/").targets().get(0).address()).isEqualTo("[::1]:1");
    assertThat(table.byPath("/b/").targets().get(0).host()).isEqualTo("2001:db8::1");
  }

  @Test
  void dialClientHostAndHostOverrides() throws Exception {
    RoutesConfig byType = new RoutesConfig(false, DialAddress.HOST,
      Map.of("connector", new TypeRoutesConfig(true, DialAddress.CLIENT_HOST)), List.of(), Map.of());
    RouteTable table = plan(byType, GATE, C2);
    assertThat(table.byPath("/connector-server-2/").targets().get(0).host()).isEqualTo("127.0.0.2");
    assertThat(table.byPath("/connector-server-2/").stripPrefix()).isTrue();
    assertThat(table.byPath("/gate/").stripPrefix()).isFalse();

    RoutesConfig overridden = new RoutesConfig(false, DialAddress.HOST, Map.of(), List.of(),
      Map.of("10.0.0.5", "127.0.0.9"));
    assertThat(plan(overridden, C2).byPath("/connector-server-2/").targets().get(0).host()).isEqualTo("127.0.0.9");
  }

  @Test
  void anIdEqualToItsOwnTypeIsOneRoute() throws Exception {
    // servers-corpus 16: the only connector has the id "connector".
    RouteTable table = plan(routes(List.of()), new FrontendServer("connector", "connector", "127.0.0.1", null, 36010));
    assertThat(table.routes()).extracting(Route::path).containsExactly("/connector/");
    assertThat(table.routes().get(0).kind()).isEqualTo(RouteKind.SERVER);
  }

  @Test
  void anIdEqualToAnotherTypeIsAClashNamingBothSides() {
    FrontendServer named = new FrontendServer("gate", "connector", "127.0.0.1", null, 4000);
    assertThatThrownBy(() -> plan(routes(List.of()), GATE, named))
      .isInstanceOf(ConfigException.class)
      .hasMessageContaining("config/servers.json")
      .hasMessageContaining("route /gate/ would be both server gate (type connector) and type gate (gate-server-1)");
  }

  @Test
  void anAliasEqualToAnotherRouteIsAClashNamingBothSides() {
    assertThatThrownBy(() -> plan(routes(List.of(new AliasConfig("/gate/", "connector", null, null))), GATE, C1))
      .isInstanceOf(ConfigException.class)
      .hasMessage("sidecar.yaml: routes.aliases[0].path = /gate/: clashes with the type route /gate/ of type gate "
        + "from config/servers.json");
    assertThatThrownBy(() -> plan(routes(List.of(new AliasConfig("/x/", "connector", null, null),
      new AliasConfig("/x/", "gate", null, null))), GATE, C1))
      .hasMessageContaining("routes.aliases[1].path = /x/: clashes with the alias route /x/ of connector-server-1")
      .hasMessageContaining("from sidecar.yaml");
  }

  @Test
  void anAliasToNothingIsAnError() {
    assertThatThrownBy(() -> plan(routes(List.of(new AliasConfig("/conn/", "conector", null, null),
      new AliasConfig("/one/", null, "connector-server-9", null))), GATE, C1))
      .isInstanceOf(ConfigException.class)
      .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(2))
      .hasMessageContaining("routes.aliases[0].serverType = conector: no frontend server of this type")
      .hasMessageContaining("types present: [gate, connector]")
      .hasMessageContaining("routes.aliases[1].serverId = connector-server-9");
  }

  @Test
  void clientPortPathsServePomeloWeixinClientsUnchanged() throws Exception {
    RoutesConfig ports = new RoutesConfig(false, DialAddress.HOST, Map.of(), List.of(), Map.of(), true);
    FrontendServer sameOtherHost = new FrontendServer("connector-server-9", "connector", "10.0.0.9", null, 3050);
    RoutePlan plan = new RoutePlanner(ports, "sidecar.yaml").plan(servers(GATE, C1, C2, sameOtherHost));
    assertThat(plan.table().byPath("/ws/3014/").targets()).extracting(Target::serverId).containsExactly("gate-server-1");
    assertThat(plan.table().byPath("/ws/3014/").kind()).isEqualTo(RouteKind.PORT);
    assertThat(plan.table().byPath("/ws/3051/").targets()).extracting(Target::serverId)
      .containsExactly("connector-server-2");
    // Two servers on one clientPort (different hosts): the port names neither, and the planner says so.
    assertThat(plan.table().byPath("/ws/3050/")).isNull();
    assertThat(plan.warnings()).anySatisfy(w -> assertThat(w)
      .isEqualTo("no /ws/3050/ route: clientPort 3050 belongs to connector-server-1, connector-server-9"));
    assertThat(plan(routes(List.of()), GATE).byPath("/ws/3014/")).as("off by default").isNull();
  }

  @Test
  void anIdThatIsNotAPathSegmentKeepsItsTypeRouteAndWarns() throws Exception {
    RoutePlan plan = new RoutePlanner(routes(List.of()), "sidecar.yaml")
      .plan(servers(new FrontendServer("connector server/1", "connector", "127.0.0.1", null, 3050)));
    assertThat(plan.table().routes()).extracting(Route::path).containsExactly("/connector/");
    assertThat(plan.warnings()).singleElement().asString().contains("connector server/1");
  }
}

package io.pomelo.sidecar.route;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RouteTableTest {

  private static Route route(String path, boolean strip) {
    return new Route(path, RouteKind.ALIAS, "connector", List.of(new Target("c1", "connector", "127.0.0.1", 3050)),
      strip);
  }

  private final RouteTable table = new RouteTable(List.of(
    route("/gate/", false), route("/game/conn/", false), route("/game/", false), route("/connector-server-1/", true)));

  @Test
  void longestPrefixWins() {
    assertThat(table.match("/game/conn/x").path()).isEqualTo("/game/conn/");
    assertThat(table.match("/game/connx").path()).isEqualTo("/game/");
    assertThat(table.match("/game/").path()).isEqualTo("/game/");
  }

  @Test
  void prefixMatchesOnlyAtSegmentBoundaries() {
    assertThat(table.match("/gatex/")).isNull();
    assertThat(table.match("/gat")).isNull();
    assertThat(table.match("/")).isNull();
    assertThat(table.match("")).isNull();
    assertThat(table.match("gate/")).isNull();
  }

  @Test
  void pathWithoutTrailingSlashMatchesItsRoute() {
    assertThat(table.match("/gate").path()).isEqualTo("/gate/");
    assertThat(table.match("/connector-server-1").path()).isEqualTo("/connector-server-1/");
  }

  @Test
  void pathsLongerThanEveryRouteStillMatch() {
    assertThat(table.match("/gate/" + "x".repeat(500) + "/y").path()).isEqualTo("/gate/");
  }

  @Test
  void stripPrefixKeepsTheRestAndTheQuery() {
    Route strip = table.byPath("/connector-server-1/");
    assertThat(strip.backendUri("/connector-server-1/socket.io/?EIO=3")).isEqualTo("/socket.io/?EIO=3");
    assertThat(strip.backendUri("/connector-server-1/")).isEqualTo("/");
    assertThat(strip.backendUri("/connector-server-1")).isEqualTo("/");
    assertThat(strip.backendUri("/connector-server-1?x=1")).isEqualTo("/?x=1");
    assertThat(table.byPath("/gate/").backendUri("/gate/?x=1")).isEqualTo("/gate/?x=1");
  }

  @Test
  void twoRoutesForOnePathAreRefused() {
    assertThatThrownBy(() -> new RouteTable(List.of(route("/a/", false), route("/a/", true))))
      .hasMessageContaining("/a/");
  }
}

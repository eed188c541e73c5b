package io.pomelo.sidecar.backend;

import io.pomelo.sidecar.route.Route;
import io.pomelo.sidecar.route.RouteKind;
import io.pomelo.sidecar.route.RouteTable;
import io.pomelo.sidecar.route.Target;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The live state across reloads and the choice it drives, without sockets. */
class HealthStateTest {

  private static final Target C1 = new Target("connector-server-1", "connector", "127.0.0.1", 3150);
  private static final Target C2 = new Target("connector-server-2", "connector", "127.0.0.1", 3151);
  private static final Target C3 = new Target("connector-server-3", "connector", "127.0.0.1", 3152);

  private static RouteTable table(Target... targets) {
    return new RouteTable(List.of(
      new Route("/" + targets[0].serverId() + "/", RouteKind.SERVER, "connector", List.of(targets[0]), false),
      new Route("/connector/", RouteKind.TYPE, "connector", List.of(targets), false)));
  }

  @Test
  void stateOfWhatStaysIsKeptNewStartsUnknownRemovedIsDropped() {
    LiveState live = new LiveState(true);
    live.follow(table(C1, C2));
    live.backend(C1).markUnhealthy(Instant.now(), "refused");
    live.route("/connector/").addIn(100);
    live.backend(C2).markHealthy(Instant.now());

    live.follow(table(C1, C3));
    assertThat(live.backend(C1).health()).isEqualTo(Health.UNHEALTHY);
    assertThat(live.route("/connector/").bytesIn()).isEqualTo(100);
    assertThat(live.backend(C3).health()).isEqualTo(Health.UNKNOWN);
    assertThat(live.backends()).extracting(BackendState::key)
      .containsExactlyInAnyOrder(TargetKey.of(C1), TargetKey.of(C3));
    // C2 came back in a later reload: it starts over rather than with its old mark.
    live.follow(table(C1, C2));
    assertThat(live.backend(C2).health()).isEqualTo(Health.UNKNOWN);
  }

  @Test
  void aRemovedPathKeepsItsCountersWhileConnectionsDrain() {
    LiveState live = new LiveState(true);
    live.follow(table(C1, C2));
    RouteCounters server = live.route("/connector-server-1/");
    server.connectionStarted();
    live.follow(table(C2));
    assertThat(live.route("/connector-server-1/")).isSameAs(server);
    server.connectionEnded();
    live.follow(table(C2));
    assertThat(live.route("/connector-server-1/")).isNotSameAs(server);
  }

  @Test
  void typeRoutesSkipUnhealthyServersAndServerRoutesNever() {
    LiveState live = new LiveState(true);
    RouteTable table = table(C1, C2);
    live.follow(table);
    TargetChoice choice = new TargetChoice(live);
    live.backend(C1).markUnhealthy(Instant.now(), "refused");
    for (int i = 0; i < 5; i++) {
      assertThat(choice.choose(table.byPath("/connector/"))).isEqualTo(C2);
    }
    assertThat(choice.choose(table.byPath("/connector-server-1/"))).isEqualTo(C1);
    live.backend(C2).markUnhealthy(Instant.now(), "refused");
    assertThat(choice.choose(table.byPath("/connector/"))).isNull();
  }

  @Test
  void fewestConnectionsFirstAndTiesRoundRobin() {
    LiveState live = new LiveState(true);
    RouteTable table = table(C1, C2, C3);
    live.follow(table);
    TargetChoice choice = new TargetChoice(live);
    live.backend(C1).connectionStarted();
    live.backend(C1).connectionStarted();
    live.backend(C2).connectionStarted();
    assertThat(choice.choose(table.byPath("/connector/"))).isEqualTo(C3);
    live.backend(C3).connectionStarted();
    // C2 and C3 now tie at one: successive choices alternate between them.
    Target first = choice.choose(table.byPath("/connector/"));
    Target second = choice.choose(table.byPath("/connector/"));
    assertThat(List.of(first, second)).containsExactlyInAnyOrder(C2, C3);
  }

  /** The Pomelo master's list outranks health: a server it does not list is not chosen, even when healthy. */
  @Test
  void typeRoutesSkipAServerTheMasterDoesNotList() {
    LiveState live = new LiveState(true);
    RouteTable table = table(C1, C2);
    live.follow(table);
    live.backend(C1).markHealthy(Instant.now());
    live.backend(C2).markHealthy(Instant.now());
    TargetChoice choice = new TargetChoice(live);

    live.listedBy(id -> !id.equals(C1.serverId()));
    assertThat(live.backend(C1).unlisted()).isTrue();
    for (int i = 0; i < 5; i++) {
      assertThat(choice.choose(table.byPath("/connector/"))).isEqualTo(C2);
    }
    // Its own route still dials it: only a real attempt can tell the client more than the list.
    assertThat(choice.choose(table.byPath("/connector-server-1/"))).isEqualTo(C1);

    live.listedBy(id -> true);
    assertThat(live.backend(C1).unlisted()).isFalse();
    List<Target> chosen = List.of(choice.choose(table.byPath("/connector/")),
      choice.choose(table.byPath("/connector/")));
    assertThat(chosen).containsExactlyInAnyOrder(C1, C2);
  }

  @Test
  void aBackendALaterTableAddsGetsTheMarkInForce() {
    LiveState live = new LiveState(false);
    live.follow(table(C1, C2));
    live.listedBy(id -> !id.equals(C3.serverId()));

    RouteTable later = table(C2, C3);
    live.follow(later);
    assertThat(live.backend(C3).unlisted()).isTrue();
    assertThat(live.backend(C2).unlisted()).isFalse();
    TargetChoice choice = new TargetChoice(live);
    for (int i = 0; i < 5; i++) {
      assertThat(choice.choose(later.byPath("/connector/"))).isEqualTo(C2);
    }
  }

  @Test
  void withChecksOffEveryServerIsTried() {
    LiveState live = new LiveState(false);
    RouteTable table = table(C1);
    live.follow(table);
    live.backend(C1).markUnhealthy(Instant.now(), "refused");
    assertThat(new TargetChoice(live).choose(table.byPath("/connector/"))).isEqualTo(C1);
  }
}

package io.pomelo.sidecar.bench;

import io.pomelo.sidecar.route.Route;
import io.pomelo.sidecar.route.RouteKind;
import io.pomelo.sidecar.route.RouteTable;
import io.pomelo.sidecar.route.Target;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@link RouteTable#match} on a table the size of a large Pomelo deployment: one route per server
 * ({@code /connector-server-17/}), one per type, plus an alias. Paths are what clients send on the upgrade.
 * Run with JMH's main (bench/README.md); not a test, so {@code mvn test} never runs it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RouteMatchBenchmark {

  /** Frontend servers per type (gate and connector). */
  @Param({"2", "200"})
  public int servers;

  private RouteTable table;
  private final String[] paths = {
    "/gate/", "/conn/", "/connector-server-1/", "/connector/x", "/gate", "/nothing/here/", "/connector-server-1/a/b/c",
  };
  private int next;

  @Setup
  public void setup() {
    List<Route> routes = new ArrayList<>();
    for (String type : List.of("gate", "connector")) {
      List<Target> all = new ArrayList<>();
      for (int i = 1; i <= servers; i++) {
        Target t = new Target(type + "-server-" + i, type, "127.0.0.1", 3000 + i);
        all.add(t);
        routes.add(new Route("/" + t.serverId() + "/", RouteKind.SERVER, type, List.of(t), false));
      }
      routes.add(new Route("/" + type + "/", RouteKind.TYPE, type, all, false));
      if (type.equals("connector")) {
        routes.add(new Route("/conn/", RouteKind.ALIAS, type, all, false));
      }
    }
    table = new RouteTable(routes);
  }

  @Benchmark
  public Route match() {
    String path = paths[next];
    next = next + 1 == paths.length ? 0 : next + 1;
    return table.match(path);
  }
}

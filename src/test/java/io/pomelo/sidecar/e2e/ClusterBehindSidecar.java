package io.pomelo.sidecar.e2e;

import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.testing.Closer;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.nio.file.Path;

import static io.pomelo.sidecar.testing.Await.await;

/**
 * What a test of Pomelo through the sidecar runs on: a real cluster, a Vert.x, and a sidecar in front of the cluster.
 * {@link #close()} stops them in reverse order; a start that fails halfway closes what it had opened.
 */
record ClusterBehindSidecar(PomeloCluster cluster, Vertx vertx, TestSidecar fixture, Sidecar sidecar)
  implements AutoCloseable {

  /** Which cluster: {@code PomeloCluster::start}, {@code PomeloCluster::startSio}, ... */
  interface ClusterStart {
    PomeloCluster start(Path workDir) throws IOException, InterruptedException;
  }

  /** The sidecar's configuration, from the test's fixture and the cluster's servers.json. */
  interface SidecarSetup {
    SidecarConfig config(TestSidecar fixture, PomeloCluster cluster) throws Exception;
  }

  static ClusterBehindSidecar start(Path workDir, ClusterStart clusterStart, SidecarSetup setup) throws Exception {
    Closer opened = new Closer();
    try {
      PomeloCluster cluster = opened.add(clusterStart.start(workDir));
      Vertx vertx = opened.add(Vertx.vertx());
      TestSidecar fixture = new TestSidecar(workDir);
      Sidecar sidecar = await(fixture.start(vertx, setup.config(fixture, cluster)));
      return new ClusterBehindSidecar(cluster, vertx, fixture, sidecar);
    } catch (Exception e) {
      try {
        opened.close();
      } catch (Exception closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  @Override
  public void close() throws Exception {
    Closer opened = new Closer();
    opened.add(cluster);
    opened.add(vertx);
    opened.add(sidecar);
    opened.close();
  }
}

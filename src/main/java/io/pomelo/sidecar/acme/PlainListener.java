package io.pomelo.sidecar.acme;

import io.pomelo.sidecar.config.LimitsConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

import java.util.List;

/** STUB until the http01 branch merges. */
public final class PlainListener extends VerticleBase {
  public PlainListener(String host, int port, HttpChallenges challenges, List<String> redirectNames, int httpsPort,
                       LimitsConfig limits) {
  }

  @Override
  public Future<?> start() {
    return Future.succeededFuture();
  }

  public int actualPort() {
    return 0;
  }
}

package io.pomelo.sidecar.cli;

import io.pomelo.sidecar.Sidecar;
import io.pomelo.sidecar.config.ConfigException;
import io.pomelo.sidecar.config.SidecarConfig;
import io.vertx.core.Vertx;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code run}: start serving and keep serving until stopped. */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
  description = "Start the sidecar.")
final class RunCommand implements java.util.concurrent.Callable<Integer> {

  @Mixin
  ConfigOptions options;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Vertx vertx = Vertx.vertx();
    Sidecar sidecar;
    try {
      SidecarConfig config = options.load(vertx, System.getenv());
      sidecar = ConfigOptions.await(Sidecar.start(vertx, config));
    } catch (ConfigException e) {
      ProblemReport.problems(spec.commandLine().getErr(), e);
      vertx.close();
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        sidecar.stop().eventually(vertx::close).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        // exiting anyway
      }
      stopped.countDown();
    }, "pomelo-sidecar-stop"));
    stopped.await();
    return 0;
  }
}

package io.pomelo.sidecar.cli;

import io.pomelo.sidecar.Sidecar;
import io.pomelo.sidecar.config.ConfigException;
import io.pomelo.sidecar.config.ConfigProblem;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.config.SidecarConfigLoader;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** {@code run}: start serving and keep serving until stopped. */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
  description = "Start the sidecar.")
final class RunCommand implements java.util.concurrent.Callable<Integer> {

  @Option(names = "--config", paramLabel = "FILE", defaultValue = "conf/sidecar.yaml",
    description = "The sidecar configuration (YAML or JSON). Default: ${DEFAULT-VALUE}.")
  Path configFile;

  @Option(names = "--dev", description = "Development mode: 127.0.0.1:8443, a self-signed certificate for "
    + "localhost made and kept in the state directory, and the servers.json beside the configuration file.")
  boolean dev;

  @Override
  public Integer call() throws Exception {
    Map<String, String> env = System.getenv();
    // Native epoll where it loads (Linux): fewer copies and system calls per read than NIO, else NIO.
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    Sidecar sidecar;
    try {
      Path file = dev ? DevMode.configFile(configFile, env) : configFile;
      SidecarConfigLoader loader = new SidecarConfigLoader(vertx, env, System.getProperties());
      SidecarConfig config = await(loader.load(file, dev ? DevMode.layer(file) : new JsonObject()));
      if (dev) {
        config = DevMode.withCertificate(config);
      }
      sidecar = await(Sidecar.start(vertx, config));
    } catch (ConfigException e) {
      report(System.err, e);
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

  static void report(PrintStream err, ConfigException e) {
    err.println("pomelo-sidecar: the configuration has " + e.problems().size()
      + (e.problems().size() == 1 ? " problem:" : " problems:"));
    for (ConfigProblem p : e.problems()) {
      err.println("  " + p);
    }
  }

  /** Unwraps a config error so it reaches the operator as the message, not as a stack trace. */
  static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }
}

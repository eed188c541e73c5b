package io.pomelo.sidecar.cli;

import io.pomelo.sidecar.ReloadOutcome;
import io.pomelo.sidecar.Sidecar;
import io.pomelo.sidecar.config.ConfigException;
import io.pomelo.sidecar.config.ConfigProblem;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.config.SidecarConfigLoader;
import io.pomelo.sidecar.systemd.HangupSignal;
import io.pomelo.sidecar.systemd.SystemdNotifier;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * {@code run}: start serving and keep serving until stopped. SIGHUP reloads everything; SIGTERM drains and stops.
 * Under systemd it speaks the notify protocol: READY once routes are loaded and the listener is bound,
 * RELOADING/READY around each reload, STOPPING at the stop, and watchdog pings from the event loop.
 */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
  description = "Start the sidecar.")
final class RunCommand implements java.util.concurrent.Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

  @Option(names = "--config", paramLabel = "FILE", defaultValue = "conf/sidecar.yaml",
    description = "The sidecar configuration (YAML or JSON). Default: ${DEFAULT-VALUE}.")
  Path configFile;

  @Option(names = "--dev", description = "Development mode: 127.0.0.1:8443, a self-signed certificate for "
    + "localhost made and kept in the state directory, and the servers.json beside the configuration file.")
  boolean dev;

  @Override
  public Integer call() throws Exception {
    Map<String, String> env = System.getenv();
    Vertx vertx = Vertx.vertx();
    SystemdNotifier systemd = SystemdNotifier.fromEnvironment();
    Sidecar sidecar;
    try {
      Path file = dev ? DevMode.configFile(configFile, env) : configFile;
      SidecarConfigLoader loader = new SidecarConfigLoader(vertx, env, System.getProperties());
      java.util.function.Supplier<Future<SidecarConfig>> source = () -> readConfig(vertx, loader, file);
      sidecar = await(source.get().compose(config -> Sidecar.start(vertx, config, source, env)));
    } catch (ConfigException e) {
      report(System.err, e);
      vertx.close();
      return 1;
    }
    Context control = vertx.getOrCreateContext();
    sidecar.onReloadStarted(trigger -> systemd.reloading("reloading (" + trigger + ")"));
    sidecar.onReloadFinished(outcome -> systemd.ready(status(sidecar, outcome)));
    HangupSignal.onHangup(() -> sidecar.requestReload("SIGHUP", true));
    systemd.startWatchdog(task -> control.runOnContext(v -> task.run()));
    systemd.ready(status(sidecar, sidecar.lastReload()));

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      systemd.stopping();
      LOG.info("stopping: no new connections; {} open ones get {} to finish", sidecar.tunnels().size(),
        sidecar.config().shutdown().drain());
      try {
        sidecar.stop(sidecar.config().shutdown().drain()).eventually(vertx::close)
          .toCompletionStage().toCompletableFuture()
          .get(sidecar.config().shutdown().drain().toSeconds() + 15, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.warn("stop did not finish cleanly: {}", e.toString());
      }
      systemd.close();
      stopped.countDown();
    }, "pomelo-sidecar-stop"));
    stopped.await();
    return 0;
  }

  /** One read of the configuration file, with development mode's values and certificate when asked for. */
  private Future<SidecarConfig> readConfig(Vertx vertx, SidecarConfigLoader loader, Path file) {
    Future<SidecarConfig> loaded = loader.load(file, dev ? DevMode.layer(file) : new JsonObject());
    if (!dev) {
      return loaded;
    }
    return loaded.compose(config -> vertx.executeBlocking(() -> {
      try {
        return DevMode.withCertificate(config);
      } catch (IOException e) {
        throw new ConfigException(config.stateDir().toString(), "state.dir", null,
          "cannot keep the development certificate here: " + e.getMessage());
      }
    }));
  }

  private static String status(Sidecar sidecar, ReloadOutcome last) {
    return sidecar.routes().routes().size() + " routes, " + sidecar.tunnels().size() + " connections, generation "
      + sidecar.routeSnapshot().generation() + (last != null && last.result().equals(ReloadOutcome.ERROR)
      ? ", last reload failed: " + last.errors().get(0) : "");
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

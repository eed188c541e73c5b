package io.pomelo.sidecar.cli;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pomelo.sidecar.admin.VertxMetrics;
import io.pomelo.sidecar.config.ConfigException;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.run.InheritedListeners;
import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.run.VertxRuntime;
import io.pomelo.sidecar.state.ReloadOutcome;
import io.pomelo.sidecar.state.ReloadRequest;
import io.pomelo.sidecar.systemd.HangupSignal;
import io.pomelo.sidecar.systemd.StopSignals;
import io.pomelo.sidecar.systemd.SystemdNotifier;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * {@code run}: start serving and keep serving until stopped. SIGHUP reloads everything; SIGTERM begins the lame duck
 * (not ready, still serving), then drains and stops; a second SIGTERM ends the lame duck at once.
 * Under systemd it speaks the notify protocol: READY once routes are loaded and the listener is bound,
 * RELOADING/READY around each reload, STOPPING at the stop, and watchdog pings from the event loop.
 */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
  description = "Start the sidecar.")
final class RunCommand implements java.util.concurrent.Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

  @Mixin
  ConfigOptions options;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Map<String, String> env = System.getenv();
    // Vert.x's own metrics and the sidecar's share one registry, which GET /metrics writes out.
    PrometheusMeterRegistry registry = VertxMetrics.registry();
    InheritedListeners inherited;
    try {
      inherited = InheritedListeners.fromEnvironment(env, ProcessHandle.current().pid());
    } catch (IllegalArgumentException e) {
      // Binding anew instead would fight systemd for the port, or serve somewhere nobody expects.
      spec.commandLine().getErr().println("pomelo-sidecar: cannot serve on the sockets systemd passed: "
        + e.getMessage());
      spec.commandLine().getErr().flush();
      return 1;
    }
    Vertx vertx = VertxRuntime.vertx(registry, inherited);
    SystemdNotifier systemd = SystemdNotifier.fromEnvironment();
    // Explicit reloads read the configuration file again, exactly as at start (development values included), with
    // the inherited sockets' addresses in place of the configured ones, as at start.
    Supplier<Future<SidecarConfig>> source = () -> vertx.executeBlocking(
      () -> inherited.applyTo(options.load(vertx, env)), false);
    // The stop is in place before the start: a SIGTERM that comes as soon as the port answers (or during the start)
    // still gets an orderly stop and exit code 0, not the JVM's 143.
    AtomicReference<Sidecar> started = new AtomicReference<>();
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      stop(started.get(), vertx, systemd);
      stopped.countDown();
      // A JVM ended by SIGTERM exits with 143; a drained, orderly stop is a success for systemd and scripts.
      Runtime.getRuntime().halt(0);
    }, "pomelo-sidecar-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    StopSignals.install(() -> {
      Sidecar running = started.get();
      if (running != null) {
        LOG.info("stop signal again: ending the lame duck now");
        running.endLameDuck();
      }
    });
    Sidecar sidecar;
    try {
      SidecarConfig configured = options.load(vertx, env);
      inherited.announce(configured);
      sidecar = ConfigOptions.await(Sidecar.prepare(vertx, inherited.applyTo(configured), source, env, registry,
        inherited).start());
      started.set(sidecar);
    } catch (ConfigException e) {
      forget(hook);
      ProblemReport.problems(spec.commandLine().getErr(), e);
      spec.commandLine().getErr().flush();
      vertx.close();
      return 1;
    } catch (Exception | Error e) {
      forget(hook);
      throw e;
    }
    Context control = vertx.getOrCreateContext();
    sidecar.onReloadStarted(trigger -> systemd.reloading("reloading (" + trigger + ")"));
    sidecar.onReloadFinished(outcome -> systemd.ready(status(sidecar, outcome)));
    HangupSignal.onHangup(() -> sidecar.requestReload(ReloadRequest.everything("SIGHUP")));
    systemd.startWatchdog(task -> control.runOnContext(v -> task.run()));
    systemd.ready(status(sidecar, sidecar.state().lastReload()));
    VertxMetrics.bindJvmMetrics(registry);
    stopped.await();
    return 0;
  }

  /** A start that failed exits with its own code, not the hook's 0. */
  private static void forget(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException stopping) {
      // A SIGTERM came first; the hook stops what there is.
    }
  }

  /** SIGTERM: the lame duck, then drain and stop the sidecar, or, when it had not started yet, just close Vert.x. */
  private static void stop(Sidecar sidecar, Vertx vertx, SystemdNotifier systemd) {
    systemd.stopping();
    Duration lameDuck = sidecar == null ? Duration.ZERO : sidecar.config().shutdown().lameDuck();
    Duration drain = sidecar == null ? Duration.ZERO : sidecar.config().shutdown().drain();
    if (sidecar == null || lameDuck.isZero()) {
      LOG.info("stopping");
    } else {
      LOG.info("stopping: a lame duck of {} ms (a second SIGTERM ends it), then a drain of {} ms",
        lameDuck.toMillis(), drain.toMillis());
    }
    try {
      Future<?> stop = sidecar == null ? vertx.close() : sidecar.stop(lameDuck, drain).eventually(vertx::close);
      stop.toCompletionStage().toCompletableFuture().get(lameDuck.plus(drain).toSeconds() + 15, TimeUnit.SECONDS);
      LOG.info("stopped");
    } catch (Exception e) {
      LOG.warn("stop did not finish cleanly: {}", e.toString());
    }
    systemd.close();
  }

  private static String status(Sidecar sidecar, ReloadOutcome last) {
    return sidecar.routes().routes().size() + " routes, " + sidecar.view().tunnels().size() + " connections, generation "
      + sidecar.state().routes().generation() + (last != null && last.result().equals(ReloadOutcome.Result.ERROR)
      ? ", last reload failed: " + last.errors().get(0) : "");
  }
}

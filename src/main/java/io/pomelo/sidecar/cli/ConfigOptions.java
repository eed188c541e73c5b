package io.pomelo.sidecar.cli;

import io.pomelo.sidecar.config.PomeloConfig;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.config.SidecarConfigLoader;
import io.pomelo.sidecar.run.LoadedFiles;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * The options of every command that reads the configuration, and the one way they turn into a
 * {@link SidecarConfig}: so {@code check} and {@code export-nginx} see exactly what {@code run} would serve.
 */
final class ConfigOptions {

  @Option(names = "--config", paramLabel = "FILE", defaultValue = "conf/sidecar.yaml",
    description = "The sidecar configuration (YAML or JSON). Default: ${DEFAULT-VALUE}.")
  Path configFile;

  @Option(names = "--dev", description = "Development mode: 127.0.0.1:8443, a self-signed certificate for "
    + "localhost made and kept in the state directory, and the servers.json beside the configuration file.")
  boolean dev;

  @Option(names = "--env", paramLabel = "ENV", description = "The Pomelo environment to read from servers.json "
    + "(development, production, ...). Wins over pomelo.environment and NODE_ENV.")
  String environment;

  /** Reads the file with development values, environment and -D overrides, then --env; fails with a ConfigException. */
  SidecarConfig load(Vertx vertx, Map<String, String> env) throws Exception {
    Path file = dev ? DevMode.configFile(configFile, env) : configFile;
    SidecarConfigLoader loader = new SidecarConfigLoader(vertx, env, System.getProperties());
    SidecarConfig config = await(loader.load(file, dev ? DevMode.layer(file) : new JsonObject()));
    if (dev) {
      config = DevMode.withCertificate(config);
    }
    if (environment != null && !environment.isBlank()) {
      config = config.withPomelo(new PomeloConfig(config.pomelo().serversFile(), environment));
    }
    return config;
  }

  /**
   * The configuration and everything it names, read and checked exactly as {@code run} reads them before it binds
   * anything. Nothing is left running.
   */
  Checked check(Map<String, String> env) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      SidecarConfig config = load(vertx, env);
      return new Checked(config, LoadedFiles.read(config, System.getenv()).orThrow());
    } finally {
      await(vertx.close());
    }
  }

  /** What {@link #check} read. */
  record Checked(SidecarConfig config, LoadedFiles files) {
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

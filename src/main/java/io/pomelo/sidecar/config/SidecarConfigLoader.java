package io.pomelo.sidecar.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * Reads sidecar.yaml (or .json) through Vert.x Config, applies {@link ConfigOverrides} and checks the result.
 * Relative paths in the file are relative to the file's directory, so {@code conf/sidecar.yaml} can name
 * {@code servers.json} beside it whatever the working directory.
 */
public final class SidecarConfigLoader {

  private final Vertx vertx;
  private final Map<String, String> env;
  private final Properties properties;

  public SidecarConfigLoader(Vertx vertx, Map<String, String> env, Properties properties) {
    this.vertx = vertx;
    this.env = env;
    this.properties = properties;
  }

  /** Fails with a {@link ConfigException} that names the file, the key and the rule. */
  public Future<SidecarConfig> load(Path file) {
    return load(file, new JsonObject());
  }

  /**
   * Like {@link #load(Path)}, with {@code layer} merged over the file and under the overrides: development mode
   * uses it to move the listener to 127.0.0.1:8443 while {@code -D} and environment overrides still win.
   */
  public Future<SidecarConfig> load(Path file, JsonObject layer) {
    if (!Files.isRegularFile(file)) {
      return Future.failedFuture(new ConfigException(file.toString(), "", null,
        Files.exists(file) ? "is not a regular file" : "no such file"));
    }
    String name = file.getFileName().toString();
    String format = name.endsWith(".json") ? "json" : "yaml";
    ConfigRetriever retriever = ConfigRetriever.create(vertx, new ConfigRetrieverOptions()
      .setScanPeriod(-1)
      .setIncludeDefaultStores(false)
      .addStore(new ConfigStoreOptions().setType("file").setFormat(format)
        .setConfig(new JsonObject().put("path", file.toAbsolutePath().toString()))));
    return retriever.getConfig()
      .transform(ar -> {
        retriever.close();
        if (ar.failed()) {
          Throwable cause = ar.cause();
          String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
          return Future.failedFuture(new ConfigException(file.toString(), "", null,
            "cannot be read as " + format.toUpperCase(java.util.Locale.ROOT) + ": " + oneLine(message)));
        }
        JsonObject root = ar.result().copy().mergeIn(layer, true);
        Map<String, String> sources = ConfigOverrides.apply(root, env, properties);
        // Off the event loop: reading resolves admin.host and reads admin.tokenFile, and a reload runs here too.
        return vertx.executeBlocking(() -> new SidecarConfigReader(file, sources, env).read(root), false);
      });
  }

  private static String oneLine(String message) {
    return message.replaceAll("\\s*\\n\\s*", " ").trim();
  }
}

package io.pomelo.sidecar.config;

import io.vertx.config.spi.utils.Processors;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Reads sidecar.yaml (or .json) with Vert.x Config's YAML or JSON processor, applies {@link ConfigOverrides} and
 * checks the result. Relative paths in the file are relative to the file's directory, so {@code conf/sidecar.yaml}
 * can name {@code servers.json} beside it whatever the working directory. The file itself must be a regular file
 * within the default {@code reload.maxFileSize}: it is read before its own settings are known.
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
    String name = file.getFileName().toString();
    String format = name.endsWith(".json") ? "json" : "yaml";
    // Read here rather than by Vert.x Config's file store, which would open a FIFO and read a file of any size.
    return vertx.executeBlocking(() -> BoundedFile.configurationFile().read(file, ""), false)
      .compose(bytes -> Processors.get(format).process(vertx, new JsonObject(), Buffer.buffer(bytes))
        .recover(cause -> {
          String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
          return Future.failedFuture(new ConfigException(file.toString(), "", null,
            "cannot be read as " + format.toUpperCase(Locale.ROOT) + ": " + oneLine(message)));
        }))
      // Off the event loop too: reading resolves admin.host and reads admin.tokenFile.
      .compose(document -> vertx.executeBlocking(() -> {
        JsonObject root = document.copy().mergeIn(layer, true);
        Map<String, String> sources = ConfigOverrides.apply(root, env, properties);
        return new SidecarConfigReader(file, sources, env).read(root);
      }, false));
  }

  private static String oneLine(String message) {
    return message.replaceAll("\\s*\\n\\s*", " ").trim();
  }
}

package io.pomelo.sidecar.config;

import java.nio.file.Path;

/**
 * Where Pomelo's configuration is ({@code pomelo:}).
 *
 * @param serversFile Pomelo's {@code config/servers.json}; when it is absent, {@code config/<env>/servers.json}
 *                    is read, as Pomelo does
 * @param environment the environment to read; empty means {@code NODE_ENV}, else {@code development}
 */
public record PomeloConfig(Path serversFile, String environment) {

  /** servers.json beside sidecar.yaml (the reader resolves it against the file's directory), and {@code NODE_ENV}'s. */
  public static PomeloConfig defaults() {
    return new PomeloConfig(Path.of("servers.json"), "");
  }
}

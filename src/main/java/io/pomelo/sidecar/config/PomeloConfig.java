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
}

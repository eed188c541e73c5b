package io.pomelo.sidecar.pomelo;

import java.util.Objects;

/**
 * A server that Pomelo starts with {@code frontend: true} and a {@code clientPort}: the only kind clients reach.
 *
 * @param id         the server id, unique in the environment ({@code connector-server-1})
 * @param serverType the key it is listed under in servers.json ({@code connector})
 * @param host       {@code host} as written (may be {@code 0.0.0.0})
 * @param clientHost {@code clientHost} as written, or null when absent
 * @param clientPort the port Pomelo's connector listens on for clients
 */
public record FrontendServer(String id, String serverType, String host, String clientHost, int clientPort) {

  public FrontendServer {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(serverType, "serverType");
    Objects.requireNonNull(host, "host");
  }
}

package io.pomelo.sidecar.master;

import java.util.Objects;

/**
 * Where the master's admin console listens and who to log in as.
 *
 * @param host        master.json's {@code host}: where Pomelo's own monitors connect
 * @param port        master.json's {@code port}: the admin console's port (it listens on every interface)
 * @param credentials the admin user to register as
 */
public record MasterEndpoint(String host, int port, AdminCredentials credentials) {

  public MasterEndpoint {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(credentials, "credentials");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1-65535, not " + port);
    }
  }

  /** {@code host:port}, for messages and the status; never the credentials. */
  public String address() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }
}

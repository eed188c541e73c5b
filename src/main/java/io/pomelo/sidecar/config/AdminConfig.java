package io.pomelo.sidecar.config;

import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The admin REST API ({@code admin:}).
 *
 * @param listener       default 127.0.0.1:9090; loopback, so that nothing off the host can read the routes.
 *                       Loopback means that every address the host resolves to is loopback
 * @param token          default none: the bearer token every endpoint but /healthz and /readyz then requires; from
 *                       {@code admin.token} (or {@code POMELO_SIDECAR_ADMIN_TOKEN}) or read from {@code tokenFile}.
 *                       Required when the listener is not on loopback. Empty means none
 * @param tokenFile      default none: a file whose content (trimmed) is the token, e.g. a systemd credential; null
 *                       when not set
 * @param allowedHosts   default none: names the API answers to in {@code Host} beside its own addresses, as
 *                       {@code admin.example.com} (any port) or {@code admin.example.com:8443} (that port only);
 *                       any other Host gets 421, which is what defeats DNS rebinding
 * @param maxConnections default 64: connections open at once; one more is closed as soon as it is accepted
 * @param idleTimeout    default 30s: a connection silent this long is closed, and so is one that takes longer than
 *                       this to send a complete request head (slowloris)
 */
public record AdminConfig(ListenerConfig listener, String token, Path tokenFile, List<String> allowedHosts,
                          int maxConnections, Duration idleTimeout) {

  private static final int DEFAULT_MAX_CONNECTIONS = 64;
  private static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);

  /** 127.0.0.1:9090 with no token, no other names and the default connection limits. */
  public static AdminConfig defaults() {
    return new AdminConfig(new ListenerConfig("127.0.0.1", 9090));
  }

  public AdminConfig {
    token = token == null ? "" : token;
    allowedHosts = allowedHosts == null ? List.of() : List.copyOf(allowedHosts);
  }

  /** No allowed names beside the listener's own, and the default connection limits. */
  public AdminConfig(ListenerConfig listener, String token, Path tokenFile) {
    this(listener, token, tokenFile, List.of(), DEFAULT_MAX_CONNECTIONS, DEFAULT_IDLE_TIMEOUT);
  }

  /** No token: fine on loopback only. */
  public AdminConfig(ListenerConfig listener) {
    this(listener, "", null);
  }

  public AdminConfig withListener(ListenerConfig value) {
    return new AdminConfig(value, token, tokenFile, allowedHosts, maxConnections, idleTimeout);
  }

  public AdminConfig withAllowedHosts(List<String> value) {
    return new AdminConfig(listener, token, tokenFile, value, maxConnections, idleTimeout);
  }

  public AdminConfig withConnections(int max, Duration idle) {
    return new AdminConfig(listener, token, tokenFile, allowedHosts, max, idle);
  }

  public boolean requiresToken() {
    return !token.isEmpty();
  }

  /**
   * The rule that keeps the admin API from being open to the network: off loopback, a token is required. It
   * resolves {@code admin.host}, so call it where blocking is allowed.
   *
   * @param file the configuration file, for the message
   */
  public Optional<ConfigProblem> problem(String file) {
    String host = listener.host();
    if (host.isBlank()) {
      return Optional.of(new ConfigProblem(file, "admin.host", host,
        "must be an address such as 127.0.0.1, or a host name"));
    }
    boolean loopback;
    try {
      loopback = listener.resolvesToLoopback();
    } catch (UnknownHostException e) {
      return Optional.of(new ConfigProblem(file, "admin.host", host,
        "does not resolve to an address: use an address such as 127.0.0.1, or a name the system resolves "
          + "(/etc/hosts)"));
    }
    if (loopback || requiresToken()) {
      return Optional.empty();
    }
    return Optional.of(new ConfigProblem(file, "admin.host", host,
      "is not a loopback address, so the admin API needs a token: set admin.token or admin.tokenFile "
        + "(or the environment variable POMELO_SIDECAR_ADMIN_TOKEN), or bind admin.host to 127.0.0.1"));
  }

  /** {@link #problem} as a start-up error. */
  public void requireSafe(String file) throws ConfigException {
    Optional<ConfigProblem> problem = problem(file);
    if (problem.isPresent()) {
      throw new ConfigException(problem.get());
    }
  }

  /** Never shows the token: configurations end up in logs and exception messages. */
  @Override
  public String toString() {
    return "AdminConfig[listener=" + listener + ", token=" + (requiresToken() ? "(hidden)" : "(none)")
      + ", tokenFile=" + tokenFile + ", allowedHosts=" + allowedHosts + ", maxConnections=" + maxConnections
      + ", idleTimeout=" + idleTimeout + "]";
  }
}

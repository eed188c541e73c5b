package io.pomelo.sidecar.pomelo;

import java.util.Map;

/** Which environment of servers.json Pomelo uses. */
public final class PomeloEnvironment {

  /** Pomelo's default when neither {@code env=} nor NODE_ENV is given. */
  public static final String DEFAULT = "development";

  private PomeloEnvironment() {
  }

  /**
   * Pomelo's {@code args.env || process.env.NODE_ENV || 'development'}. Blank counts as absent here, where
   * JavaScript would take "  " as a name: no servers.json has such an environment.
   *
   * @param configured the sidecar's own setting, may be null
   * @param env        the process environment ({@code System.getenv()})
   */
  public static String resolve(String configured, Map<String, String> env) {
    if (configured != null && !configured.isBlank()) {
      return configured;
    }
    String nodeEnv = env.get("NODE_ENV");
    if (nodeEnv != null && !nodeEnv.isBlank()) {
      return nodeEnv;
    }
    return DEFAULT;
  }
}

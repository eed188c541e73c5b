package io.pomelo.sidecar.config;

import java.nio.file.Path;
import java.util.Map;

/** Where the sidecar keeps files it makes itself (the development certificate), before any config is read. */
public final class StateDirectory {

  private StateDirectory() {
  }

  public static Path defaultFor(Map<String, String> env) {
    return SidecarConfigReader.defaultStateDir(env);
  }
}

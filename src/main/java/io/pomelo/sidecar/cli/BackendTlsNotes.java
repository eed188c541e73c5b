package io.pomelo.sidecar.cli;

import io.pomelo.sidecar.config.ConfigProblem;
import io.pomelo.sidecar.config.SidecarConfig;

import java.util.List;

/** What {@code check} and {@code export-nginx} say about {@code proxy.backendTls}: a setting that is allowed, not safe. */
final class BackendTlsNotes {

  private BackendTlsNotes() {
  }

  /** A warning when {@code proxy.backendTls.insecure} is on, which the sidecar only logs once at start. */
  static List<String> warnings(SidecarConfig config) {
    if (!config.proxy().backendTls().insecure()) {
      return List.of();
    }
    return List.of(new ConfigProblem(config.file().toString(), "proxy.backendTls.insecure", "true",
      "backend certificates are not verified (neither chain nor name); for self-signed certificates on loopback only")
      .toString());
  }
}

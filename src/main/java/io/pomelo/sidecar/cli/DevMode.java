package io.pomelo.sidecar.cli;

import io.pomelo.sidecar.config.CertificateConfig;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.config.StateDirectory;
import io.pomelo.sidecar.config.TlsConfig;
import io.pomelo.sidecar.tls.DevCertificate;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code run --dev}: works on a fresh machine with nothing prepared. It listens on 127.0.0.1:8443 with a
 * self-signed certificate for localhost and routes the servers.json beside the configuration file. When there is
 * no configuration file (the jar run from anywhere), the samples built into the jar are used.
 */
final class DevMode {

  static final String HOST = "127.0.0.1";
  static final int PORT = 8443;

  private DevMode() {
  }

  /** The configuration file to read: the given one, else the built-in sample copied to the state directory. */
  static Path configFile(Path requested, Map<String, String> env) throws IOException {
    if (Files.isRegularFile(requested)) {
      return requested;
    }
    Path dir = StateDirectory.defaultFor(env).resolve("dev-conf");
    Files.createDirectories(dir);
    copyResource("/conf/sidecar.yaml", dir.resolve("sidecar.yaml"));
    copyResource("/conf/servers.json", dir.resolve("servers.json"));
    return dir.resolve("sidecar.yaml");
  }

  /** Development values, merged over the file and under environment and -D overrides. */
  static JsonObject layer(Path configFile) {
    Path dir = configFile.toAbsolutePath().getParent();
    return new JsonObject()
      .put("listen", new JsonObject().put("host", HOST).put("port", PORT))
      .put("pomelo", new JsonObject().put("serversFile", dir.resolve("servers.json").toString()))
      .put("tls", new JsonObject().put("certificates", new JsonArray()));
  }

  static SidecarConfig withCertificate(SidecarConfig config) throws IOException {
    CertificateConfig pair = DevCertificate.ensure(config.stateDir(), Instant.now());
    return config.withTls(new TlsConfig(List.of(pair), config.tls().sessionTicketKeys()));
  }

  static Path copyResource(String resource, Path to) throws IOException {
    try (InputStream in = DevMode.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("the jar has no " + resource);
      }
      Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
    }
    return to;
  }
}

package io.pomelo.sidecar.pomelo;

import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pomelo.sidecar.config.ConfigException;
import io.pomelo.sidecar.config.ConfigProblem;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** Parses servers.json text the way the tests need it, named "servers.json" in every message. */
final class ServersJson {

  static final Path PATH = Path.of("config", "servers.json");

  private ServersJson() {
  }

  static ServersFile parse(String json, String environment) throws ConfigException {
    return ServersFileReader.parse("servers.json", PATH, json.getBytes(StandardCharsets.UTF_8), environment);
  }

  static List<ConfigProblem> problems(String json, String environment) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse(json, environment));
    if (e == null) {
      throw new AssertionError("expected a ConfigException for " + json);
    }
    return e.problems();
  }

  /** A fixture under src/test/resources/servers/. */
  static byte[] fixture(String name) {
    try (InputStream in = ServersJson.class.getResourceAsStream("/servers/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ServersFile parseFixture(String name, String environment) throws ConfigException {
    return ServersFileReader.parse(name, PATH, fixture(name), environment);
  }
}

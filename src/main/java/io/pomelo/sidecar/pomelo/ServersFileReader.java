package io.pomelo.sidecar.pomelo;

import io.pomelo.sidecar.config.BoundedFile;
import io.pomelo.sidecar.config.ConfigException;
import io.pomelo.sidecar.config.ReloadConfig;
import io.pomelo.sidecar.pomelo.JsValue.JsArray;
import io.pomelo.sidecar.pomelo.JsValue.JsObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Reads servers.json the way Pomelo 2.2.7 does ({@code Application.loadConfigBaseApp} and
 * {@code appUtil.loadServers}), so the sidecar sees exactly the servers Pomelo starts. Where Pomelo would
 * silently start something broken (a frontend without clientPort, a server without id) this refuses the file
 * and names every such place at once; where Pomelo merely does something surprising it adds a warning.
 */
public final class ServersFileReader {

  private ServersFileReader() {
  }

  /** Like {@link #read(Path, String, BoundedFile)}, held to the default {@code reload.maxFileSize}. */
  public static ServersFile read(Path serversJson, String environment) throws ConfigException {
    return read(serversJson, environment, BoundedFile.limitedBy(ReloadConfig.defaults()));
  }

  /**
   * Reads {@code serversJson}, or when it does not exist {@code <its folder>/<environment>/<its name>}: Pomelo
   * tries {@code config/servers.json} first and then {@code config/development/servers.json}. Either must be a
   * regular file within {@code files}' limit.
   */
  public static ServersFile read(Path serversJson, String environment, BoundedFile files) throws ConfigException {
    Objects.requireNonNull(serversJson, "serversJson");
    Objects.requireNonNull(environment, "environment");
    Path chosen = serversJson;
    if (!Files.exists(serversJson)) {
      Path inEnvironmentDirectory = inEnvironmentDirectory(serversJson, environment);
      if (!Files.exists(inEnvironmentDirectory)) {
        throw new ConfigException(serversJson.toString(), "", null,
          "does not exist, and neither does " + inEnvironmentDirectory
            + " (Pomelo reads config/servers.json, else config/<environment>/servers.json)");
      }
      chosen = inEnvironmentDirectory;
    }
    return parse(chosen.toString(), chosen, files.read(chosen, ""), environment);
  }

  /**
   * Reads bytes already taken from {@code path}. A file whose folder is named after the environment
   * ({@code config/production/servers.json}) is used whole, as Pomelo does for that layout; any other is
   * {@code file[environment]} when the file has that environment, else the whole file.
   *
   * @param fileNameForMessages how problems and warnings name the file
   */
  public static ServersFile parse(String fileNameForMessages, Path path, byte[] content, String environment)
    throws ConfigException {
    Objects.requireNonNull(fileNameForMessages, "fileNameForMessages");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(environment, "environment");
    Findings findings = new Findings(fileNameForMessages);

    JsonTreeReader.Result json = JsonTreeReader.read(fileNameForMessages, content);
    for (String place : json.duplicateKeys()) {
      findings.warn(place, "key appears more than once; Pomelo (JSON.parse) keeps only the last value");
    }
    if (!(json.root() instanceof JsObject root)) {
      throw new ConfigException(fileNameForMessages, "", abbreviated(json.root()),
        "must be a JSON object of server types, or of environments holding them");
    }

    boolean usedWhole = isInEnvironmentDirectory(path, environment);
    JsObject serverTypes = usedWhole ? wholeFile(root, environment, findings) : choose(root, environment, findings);
    findings.throwIfAny();
    String base = serverTypes == root ? "" : JsonPlace.member("", environment);

    ServerMap servers = ServerMap.load(serverTypes, base, findings);
    List<FrontendServer> frontends = FrontendServers.of(servers, findings);
    findings.throwIfAny();
    if (frontends.isEmpty()) {
      findings.warn(base, "no frontend servers in environment \"" + environment + "\"; the sidecar has nothing to expose");
    }
    return new ServersFile(path, environment, frontends, servers.size(), findings.warnings(), sha256(content));
  }

  /** {@code if (file[env]) file = file[env];} with the cases Pomelo gets wrong turned into problems. */
  private static JsObject choose(JsObject root, String environment, Findings findings) {
    JsValue selected = root.get(environment);
    String place = JsonPlace.member("", environment);
    if (selected != null && selected.truthy()) {
      if (selected instanceof JsObject serverTypes) {
        return serverTypes;
      }
      findings.problem(place, abbreviated(selected), "an environment must be an object of server types");
      return null;
    }
    if (isNestedByEnvironment(root)) {
      findings.problem(place, selected == null ? null : selected.json(),
        "no such environment in this file; it has " + String.join(", ", environments(root))
          + " (the environment comes from the sidecar's setting, else NODE_ENV, else development)");
      return null;
    }
    return root;
  }

  private static JsObject wholeFile(JsObject root, String environment, Findings findings) {
    if (isNestedByEnvironment(root)) {
      findings.problem("", null, "Pomelo uses a servers.json inside the " + environment + " folder whole, but this one"
        + " is nested by environment (" + String.join(", ", environments(root)) + "); put the " + environment
        + " server types at the top level");
      return null;
    }
    return root;
  }

  /**
   * Pomelo has no notion of "nested": without {@code file[env]} it treats the whole file as server types, and
   * skips any that is not an array. So a file with no array at its top level, but at least one object, gives
   * Pomelo no servers at all: it is an environment file missing the chosen environment, never a flat file.
   * A flat file with an extra settings block (corpus 17's "nats") still has its arrays, so stays flat.
   */
  static boolean isNestedByEnvironment(JsObject root) {
    return root.members().values().stream().noneMatch(v -> v instanceof JsArray)
      && root.members().values().stream().anyMatch(v -> v instanceof JsObject);
  }

  private static List<String> environments(JsObject root) {
    return root.keys().stream().filter(k -> root.get(k) instanceof JsObject).toList();
  }

  private static Path inEnvironmentDirectory(Path serversJson, String environment) {
    Path parent = serversJson.getParent();
    Path folder = parent == null ? Path.of(environment) : parent.resolve(environment);
    return folder.resolve(serversJson.getFileName());
  }

  private static boolean isInEnvironmentDirectory(Path path, String environment) {
    Path parent = path.getParent();
    return parent != null && parent.getFileName() != null && parent.getFileName().toString().equals(environment);
  }

  private static String abbreviated(JsValue value) {
    String json = value.json();
    return json.length() <= 80 ? json : json.substring(0, 77) + "...";
  }

  private static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}

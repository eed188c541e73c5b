package io.pomelo.sidecar.master;

import io.pomelo.sidecar.config.BoundedFile;
import io.pomelo.sidecar.config.ConfigException;
import io.pomelo.sidecar.config.ConfigProblem;
import io.pomelo.sidecar.config.ReloadConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Finds the master the way Pomelo 2.2.7 and pomelo-admin 1.0.1 do, from the app's {@code config} folder:
 * <ul>
 *   <li>master.json: {@code Application.loadConfigBaseApp('master', '/config/master.json')} reads
 *   {@code config/master.json}, taking {@code file[env]} when that is truthy and the whole file otherwise; only when
 *   that file does not exist, {@code config/<env>/master.json}, whole.</li>
 *   <li>adminUser.json: pomelo-admin's {@code utils.defaultAuthUser} reads {@code config/adminUser.json}, else
 *   {@code config/<env>/adminUser.json}; either is an array of {@code {id, username, password, level}}, never keyed
 *   by environment. Without either file the master refuses every admin client.</li>
 * </ul>
 * Problems are {@link ConfigException}s naming the file and the JSON place, like servers.json's.
 */
public final class MasterFiles {

  /** Where Pomelo's monitors connect when master.json has no {@code host}: Node's {@code net.connect} default. */
  public static final String DEFAULT_HOST = "127.0.0.1";

  /**
   * What master.json says for one environment.
   *
   * @param file the file read
   * @param id   {@code id}, or null when absent (Pomelo then names the master after nothing: it is only a label)
   * @param host {@code host}, or {@link #DEFAULT_HOST} when absent
   * @param port {@code port}: the admin console's
   */
  public record MasterJson(Path file, String id, String host, int port) {
  }

  private MasterFiles() {
  }

  /**
   * Pomelo's {@code config} folder for a servers.json Pomelo would read: its folder, or that folder's parent when
   * the file is {@code config/<env>/servers.json}.
   */
  public static Path configDirOf(Path serversJson, String environment) {
    Path parent = serversJson.toAbsolutePath().getParent();
    if (parent.getFileName() != null && parent.getFileName().toString().equals(environment)
      && parent.getParent() != null) {
      return parent.getParent();
    }
    return parent;
  }

  /** {@code config/master.json} if it exists, else {@code config/<env>/master.json} if that does. */
  public static Optional<Path> findMasterJson(Path configDir, String environment) {
    return firstExisting(configDir, environment, "master.json");
  }

  /** {@code config/adminUser.json} if it exists, else {@code config/<env>/adminUser.json} if that does. */
  public static Optional<Path> findAdminUserJson(Path configDir, String environment) {
    return firstExisting(configDir, environment, "adminUser.json");
  }

  /**
   * Reads one master.json. A file inside the folder named after the environment is used whole; any other is
   * {@code file[environment]} when that is truthy, else whole, as Pomelo does.
   */
  public static MasterJson readMasterJson(Path file, String environment) throws ConfigException {
    return readMasterJson(file, environment, BoundedFile.limitedBy(ReloadConfig.defaults()));
  }

  /** As {@link #readMasterJson(Path, String)}, within the running configuration's {@code reload.maxFileSize}. */
  public static MasterJson readMasterJson(Path file, String environment, BoundedFile files) throws ConfigException {
    Objects.requireNonNull(environment, "environment");
    String name = file.toString();
    Object root = PomeloJson.read(name, files.read(file, ""));
    if (!(root instanceof Map<?, ?> whole)) {
      throw new ConfigException(name, "", PomeloJson.shown(root), "must be a JSON object: {id, host, port},"
        + " or environments holding one");
    }
    boolean inEnvironmentFolder = file.getParent() != null && file.getParent().getFileName() != null
      && file.getParent().getFileName().toString().equals(environment);
    Object chosen = whole;
    String base = "";
    if (!inEnvironmentFolder && PomeloJson.truthy(whole.get(environment))) {
      chosen = whole.get(environment);
      base = PomeloJson.member("", environment);
      if (!(chosen instanceof Map<?, ?>)) {
        throw new ConfigException(name, base, PomeloJson.shown(chosen), "an environment must be an object"
          + " {id, host, port}");
      }
    }
    Map<?, ?> master = (Map<?, ?>) chosen;

    List<ConfigProblem> problems = new ArrayList<>();
    String id = null;
    Object idValue = master.get("id");
    if (idValue instanceof String s) {
      id = s;
    } else if (idValue != null) {
      problems.add(new ConfigProblem(name, PomeloJson.member(base, "id"), PomeloJson.shown(idValue),
        "must be a string (the master's server id)"));
    }
    String host = DEFAULT_HOST;
    Object hostValue = master.get("host");
    if (hostValue instanceof String s && !s.isBlank()) {
      host = s.trim();
    } else if (hostValue != null) {
      problems.add(new ConfigProblem(name, PomeloJson.member(base, "host"), PomeloJson.shown(hostValue),
        "must be a host name or address (a non-empty string)"));
    }
    int port = port(master.get("port"), name, PomeloJson.member(base, "port"), whole, base, environment, problems);
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new MasterJson(file, id, host, port);
  }

  /**
   * Reads one adminUser.json: every user, in order; the first is the one the sidecar logs in as.
   *
   * @throws ConfigException when the file is not an array, is empty, or its first user lacks a string username or
   *                         password
   */
  public static List<AdminCredentials> readAdminUsers(Path file) throws ConfigException {
    return readAdminUsers(file, BoundedFile.limitedBy(ReloadConfig.defaults()));
  }

  /** As {@link #readAdminUsers(Path)}, within the running configuration's {@code reload.maxFileSize}. */
  public static List<AdminCredentials> readAdminUsers(Path file, BoundedFile files) throws ConfigException {
    String name = file.toString();
    Object root = PomeloJson.read(name, files.read(file, ""));
    if (!(root instanceof List<?> users)) {
      throw new ConfigException(name, "", PomeloJson.shown(root), "must be a JSON array of users"
        + " [{\"id\": \"user-1\", \"username\": \"admin\", \"password\": \"admin\", \"level\": 1}]");
    }
    if (users.isEmpty()) {
      throw new ConfigException(name, "", "[]", "has no users; the master refuses every admin client");
    }
    List<AdminCredentials> read = new ArrayList<>();
    List<ConfigProblem> problems = new ArrayList<>();
    for (int i = 0; i < users.size(); i++) {
      String place = "[" + i + "]";
      if (!(users.get(i) instanceof Map<?, ?> user)) {
        if (i == 0) {
          problems.add(new ConfigProblem(name, place, PomeloJson.shown(users.get(i)),
            "must be an object {id, username, password, level}"));
        }
        continue;
      }
      Object username = user.get("username");
      Object password = user.get("password");
      if (username instanceof String u && !u.isEmpty() && password instanceof String p) {
        read.add(new AdminCredentials(u, p, true));
      } else if (i == 0) {
        // Only the first is used; a later odd entry is Pomelo's business (it compares with ===).
        if (!(username instanceof String u) || u.isEmpty()) {
          problems.add(new ConfigProblem(name, PomeloJson.member(place, "username"), PomeloJson.shown(username),
            "must be a non-empty string: the sidecar logs in as the first user"));
        }
        if (!(password instanceof String)) {
          // pomelo-admin md5-hashes the stored password for md5 logins, which throws on anything but a string.
          problems.add(new ConfigProblem(name, PomeloJson.member(place, "password"), "(hidden)",
            "must be a string: the master compares it as text (and cannot md5 anything else)"));
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return List.copyOf(read);
  }

  private static int port(Object value, String file, String place, Map<?, ?> whole, String base, String environment,
                          List<ConfigProblem> problems) {
    Double number = null;
    if (value instanceof Double d) {
      number = d;
    } else if (value instanceof String s && s.trim().matches("[0-9]{1,5}")) {
      // Node's listen() takes a numeric string as the port.
      number = Double.valueOf(s.trim());
    }
    if (number != null && number == Math.rint(number) && number >= 1 && number <= 65535) {
      return number.intValue();
    }
    if (value == null) {
      String rule = "missing: Pomelo's master would listen on a random port, so nothing could find its admin console";
      if (base.isEmpty() && whole.values().stream().anyMatch(v -> v instanceof Map<?, ?>)) {
        rule = "missing: this file has no environment \"" + environment + "\" (it has "
          + String.join(", ", whole.keySet().stream().filter(k -> whole.get(k) instanceof Map<?, ?>)
          .map(String::valueOf).toList()) + "), so Pomelo uses it whole and its master listens on a random port"
          + " (the environment comes from the sidecar's setting, else NODE_ENV, else development)";
      }
      problems.add(new ConfigProblem(file, place, null, rule));
    } else {
      problems.add(new ConfigProblem(file, place, PomeloJson.shown(value), "must be a port number 1-65535"));
    }
    return 0;
  }

  private static Optional<Path> firstExisting(Path configDir, String environment, String name) {
    Path beside = configDir.resolve(name);
    if (Files.exists(beside)) {
      return Optional.of(beside);
    }
    Path inEnvironment = configDir.resolve(environment).resolve(name);
    return Files.exists(inEnvironment) ? Optional.of(inEnvironment) : Optional.empty();
  }
}

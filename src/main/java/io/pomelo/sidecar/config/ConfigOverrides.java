package io.pomelo.sidecar.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Applies overrides from the environment and from system properties to the configuration read from the file.
 *
 * <ul>
 *   <li>{@code POMELO_SIDECAR_LISTEN_PORT=8443}: the name after the prefix is the key path with {@code _} between
 *   segments, upper-cased; segments match keys case-insensitively ({@code POMELO_SIDECAR_POMELO_SERVERSFILE} sets
 *   {@code pomelo.serversFile}); a number is a list index ({@code POMELO_SIDECAR_TLS_CERTIFICATES_0_CERTFILE}).</li>
 *   <li>{@code -Dpomelo-sidecar.listen.port=8443}: the key path with dots, exact case.</li>
 * </ul>
 * System properties win over the environment, which wins over the file. Values stay strings; the reader converts.
 */
final class ConfigOverrides {

  static final String ENV_PREFIX = "POMELO_SIDECAR_";
  static final String PROPERTY_PREFIX = "pomelo-sidecar.";

  /** Keys that may be set even when neither the file nor the defaults mention them. */
  private static final List<String> KNOWN_KEYS = ConfigSection.valuePaths();

  /** Keys of list items and maps, which have no fixed path: matched by name alone. */
  private static final Set<String> ITEM_KEYS = ConfigSection.entryKeys();

  private ConfigOverrides() {
  }

  /**
   * Sets every override into {@code config} and returns, per key path it set, where the value came from (for
   * messages about a bad value).
   */
  static Map<String, String> apply(JsonObject config, Map<String, String> env, Properties properties) {
    Map<String, String> sources = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
      if (e.getKey().startsWith(ENV_PREFIX) && e.getKey().length() > ENV_PREFIX.length()) {
        String[] segments = e.getKey().substring(ENV_PREFIX.length()).split("_");
        String path = set(config, segments, e.getValue(), true);
        sources.put(path, "environment variable " + e.getKey());
      }
    }
    for (String name : new TreeSet<>(properties.stringPropertyNames())) {
      if (name.startsWith(PROPERTY_PREFIX) && name.length() > PROPERTY_PREFIX.length()) {
        String[] segments = name.substring(PROPERTY_PREFIX.length()).split("\\.");
        String path = set(config, segments, properties.getProperty(name), false);
        sources.put(path, "system property " + name);
      }
    }
    return sources;
  }

  /** Walks {@code segments} into {@code root}, creating objects as needed, and returns the key path it set. */
  private static String set(JsonObject root, String[] segments, String value, boolean ignoreCase) {
    Object node = root;
    StringBuilder path = new StringBuilder();
    for (int i = 0; i < segments.length; i++) {
      boolean last = i == segments.length - 1;
      String segment = segments[i];
      if (node instanceof JsonArray array && isIndex(segment)) {
        int index = Integer.parseInt(segment);
        while (array.size() <= index) {
          array.add(new JsonObject());
        }
        path.append('[').append(index).append(']');
        if (last) {
          array.set(index, value);
        } else {
          node = array.getValue(index);
        }
        continue;
      }
      if (!(node instanceof JsonObject object)) {
        break;
      }
      String key = ignoreCase ? keyFor(object, segment, path.toString()) : segment;
      path.append(path.length() == 0 ? "" : ".").append(key);
      if (last) {
        object.put(key, value);
      } else {
        Object child = object.getValue(key);
        if (!(child instanceof JsonObject) && !(child instanceof JsonArray)) {
          child = isIndex(segments[i + 1]) ? new JsonArray() : new JsonObject();
          object.put(key, child);
        }
        node = child;
      }
    }
    return path.toString();
  }

  private static String keyFor(JsonObject object, String segment, String parentPath) {
    for (String existing : object.fieldNames()) {
      if (existing.equalsIgnoreCase(segment)) {
        return existing;
      }
    }
    String prefix = parentPath.isEmpty() ? "" : parentPath + ".";
    for (String known : KNOWN_KEYS) {
      if (known.startsWith(prefix)) {
        String rest = known.substring(prefix.length());
        String head = rest.contains(".") ? rest.substring(0, rest.indexOf('.')) : rest;
        if (head.equalsIgnoreCase(segment)) {
          return head;
        }
      }
    }
    for (String name : ITEM_KEYS) {
      if (name.equalsIgnoreCase(segment)) {
        return name;
      }
    }
    return segment.toLowerCase(Locale.ROOT);
  }

  private static boolean isIndex(String segment) {
    return !segment.isEmpty() && segment.chars().allMatch(Character::isDigit);
  }
}

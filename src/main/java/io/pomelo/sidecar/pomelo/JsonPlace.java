package io.pomelo.sidecar.pomelo;

import java.util.regex.Pattern;

/** JSON paths as they appear in messages: {@code production.connector[1].clientPort}. */
final class JsonPlace {

  private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$-]*");

  private JsonPlace() {
  }

  /** {@code base.key}, or {@code base["odd key"]} when the key would not read as one name. */
  static String member(String base, String key) {
    if (PLAIN_KEY.matcher(key).matches()) {
      return base.isEmpty() ? key : base + "." + key;
    }
    return base + "[" + new JsValue.JsString(key).json() + "]";
  }

  static String element(String base, int index) {
    return base + "[" + index + "]";
  }
}

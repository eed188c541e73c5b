package io.pomelo.sidecar.pomelo;

import io.pomelo.sidecar.pomelo.JsValue.JsArray;
import io.pomelo.sidecar.pomelo.JsValue.JsNumber;
import io.pomelo.sidecar.pomelo.JsValue.JsObject;
import io.pomelo.sidecar.pomelo.JsValue.JsString;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pomelo 2.2.7's {@code utils.loadCluster}, line for line where it matters: one entry with {@code clusterCount}
 * becomes that many servers. Its quirks are kept on purpose, because the servers Pomelo starts are the ones
 * that exist:
 * <ul>
 *   <li>ids are {@code cluster-server-<type>-<n>}, n counting from 0 across all cluster entries of a type;</li>
 *   <li>a field "increases" when its text contains {@code ++} anywhere after the first character (not only at
 *   the end); it becomes {@code parseInt(text without its last two characters) + i}, which may be NaN;</li>
 *   <li>that includes {@code id} and {@code serverType}, overwriting the generated values.</li>
 * </ul>
 * One instance spans one servers.json read, like Pomelo's {@code app.clusterSeq}.
 */
final class ClusterExpansion {

  static final String ID_PREFIX = "cluster-server-";
  private static final String SIGNAL = "++";

  private final Map<String, Integer> nextSequence = new HashMap<>();

  /**
   * @param server an entry that already carries its {@code serverType} and has no null member (Pomelo would
   *               crash on one)
   * @param count  the entry's {@code clusterCount}, at least 1
   */
  List<JsObject> expand(JsObject server, String serverType, int count) {
    int first = nextSequence.getOrDefault(serverType, 0);
    nextSequence.put(serverType, first + count);

    Map<String, Double> increasing = new LinkedHashMap<>();
    for (String key : server.keys()) {
      JsValue value = server.get(key);
      if (value.jsString().indexOf(SIGNAL) > 0) {
        increasing.put(key, parseInt(withoutLastTwo(value)));
      }
    }

    List<JsObject> servers = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      JsObject clone = server.with("id", new JsString(ID_PREFIX + serverType + "-" + (first + i)));
      for (Map.Entry<String, Double> field : increasing.entrySet()) {
        clone = clone.with(field.getKey(), new JsNumber(field.getValue() + i));
      }
      servers.add(clone);
    }
    return servers;
  }

  /** {@code value.slice(0, -2)} then, through parseInt, back to text. Only strings and arrays have "++" text. */
  private static String withoutLastTwo(JsValue value) {
    if (value instanceof JsString s) {
      return s.value().substring(0, s.value().length() - 2);
    }
    List<JsValue> elements = ((JsArray) value).elements();
    return new JsArray(elements.subList(0, Math.max(0, elements.size() - 2))).jsString();
  }

  /** JavaScript's {@code parseInt(text)}: leading blanks, a sign, hex after 0x, digits up to the first other. */
  static double parseInt(String text) {
    int i = 0;
    while (i < text.length() && isJsWhitespace(text.charAt(i))) {
      i++;
    }
    double sign = 1;
    if (i < text.length() && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
      sign = text.charAt(i) == '-' ? -1 : 1;
      i++;
    }
    int radix = 10;
    if (text.startsWith("0x", i) || text.startsWith("0X", i)) {
      radix = 16;
      i += 2;
    }
    double result = 0;
    int digits = 0;
    for (; i < text.length(); i++, digits++) {
      int digit = Character.digit(text.charAt(i), radix);
      if (digit < 0 || text.charAt(i) > 'z') {
        break;
      }
      result = result * radix + digit;
    }
    return digits == 0 ? Double.NaN : sign * result;
  }

  private static boolean isJsWhitespace(char c) {
    return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\uFEFF';
  }
}

package io.pomelo.sidecar.pomelo;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A JSON value as Node's {@code JSON.parse} hands it to Pomelo. Pomelo's loader relies on JavaScript semantics
 * (truthiness, {@code toString}, numbers as doubles, object key order), so those are modelled here rather than
 * guessed at the call sites.
 */
sealed interface JsValue {

  /** JavaScript truthiness: {@code if (file[env])}, {@code if (server.clusterCount)}. */
  boolean truthy();

  /** What {@code String(value)} gives in JavaScript. */
  String jsString();

  /** Compact JSON for messages. */
  String json();

  record JsString(String value) implements JsValue {
    @Override
    public boolean truthy() {
      return !value.isEmpty();
    }

    @Override
    public String jsString() {
      return value;
    }

    @Override
    public String json() {
      StringBuilder b = new StringBuilder("\"");
      for (char c : value.toCharArray()) {
        switch (c) {
          case '"' -> b.append("\\\"");
          case '\\' -> b.append("\\\\");
          case '\n' -> b.append("\\n");
          case '\t' -> b.append("\\t");
          case '\r' -> b.append("\\r");
          default -> {
            if (c < 0x20) {
              b.append(String.format("\\u%04x", (int) c));
            } else {
              b.append(c);
            }
          }
        }
      }
      return b.append('"').toString();
    }
  }

  /** Every JSON number is a double in JavaScript; NaN only appears through Pomelo's cluster arithmetic. */
  record JsNumber(double value) implements JsValue {
    @Override
    public boolean truthy() {
      return value != 0 && !Double.isNaN(value);
    }

    @Override
    public String jsString() {
      if (Double.isNaN(value)) {
        return "NaN";
      }
      if (Double.isInfinite(value)) {
        return value > 0 ? "Infinity" : "-Infinity";
      }
      if (value == Math.rint(value) && Math.abs(value) < 1e21) {
        return new BigDecimal(value).toBigInteger().toString();
      }
      // Close to Number.prototype.toString for the fractions a servers.json may hold; exponent forms differ.
      return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    @Override
    public String json() {
      return jsString();
    }

    boolean isWholeNumber() {
      return value == Math.rint(value) && !Double.isInfinite(value);
    }
  }

  record JsBoolean(boolean value) implements JsValue {
    @Override
    public boolean truthy() {
      return value;
    }

    @Override
    public String jsString() {
      return Boolean.toString(value);
    }

    @Override
    public String json() {
      return jsString();
    }
  }

  record JsNull() implements JsValue {
    @Override
    public boolean truthy() {
      return false;
    }

    @Override
    public String jsString() {
      return "null";
    }

    @Override
    public String json() {
      return "null";
    }
  }

  record JsArray(List<JsValue> elements) implements JsValue {
    public JsArray {
      elements = Collections.unmodifiableList(new ArrayList<>(elements));
    }

    @Override
    public boolean truthy() {
      return true;
    }

    /** Array.prototype.toString: elements joined by commas, null as empty. */
    @Override
    public String jsString() {
      return elements.stream()
        .map(e -> e instanceof JsNull ? "" : e.jsString())
        .collect(Collectors.joining(","));
    }

    @Override
    public String json() {
      return elements.stream().map(JsValue::json).collect(Collectors.joining(",", "[", "]"));
    }
  }

  /**
   * An object with JavaScript's own-key order: integer-like keys ascending first, then the rest in insertion
   * order. A repeated key keeps its first position and takes the last value, as with {@code JSON.parse}.
   */
  record JsObject(Map<String, JsValue> members) implements JsValue {
    public JsObject {
      members = Collections.unmodifiableMap(new LinkedHashMap<>(members));
    }

    JsValue get(String key) {
      return members.get(key);
    }

    /** Keys in the order {@code for (var key in object)} visits them. */
    List<String> keys() {
      return inJsOrder(members.keySet());
    }

    /** A copy with one member set, as a JavaScript assignment would (an existing key keeps its position). */
    JsObject with(String key, JsValue value) {
      Map<String, JsValue> copy = new LinkedHashMap<>(members);
      copy.put(key, value);
      return new JsObject(copy);
    }

    @Override
    public boolean truthy() {
      return true;
    }

    @Override
    public String jsString() {
      return "[object Object]";
    }

    @Override
    public String json() {
      return keys().stream()
        .map(k -> new JsString(k).json() + ":" + members.get(k).json())
        .collect(Collectors.joining(",", "{", "}"));
    }

    static List<String> inJsOrder(Iterable<String> insertionOrder) {
      List<String> indexes = new ArrayList<>();
      List<String> names = new ArrayList<>();
      for (String key : insertionOrder) {
        (isArrayIndex(key) ? indexes : names).add(key);
      }
      indexes.sort((a, b) -> Long.compare(Long.parseLong(a), Long.parseLong(b)));
      indexes.addAll(names);
      return indexes;
    }

    /** ECMAScript array index: canonical decimal below 2^32 - 1. */
    private static boolean isArrayIndex(String key) {
      if (key.isEmpty() || key.length() > 10 || (key.length() > 1 && key.charAt(0) == '0')) {
        return false;
      }
      for (int i = 0; i < key.length(); i++) {
        if (key.charAt(i) < '0' || key.charAt(i) > '9') {
          return false;
        }
      }
      return Long.parseLong(key) < 4294967295L;
    }
  }
}

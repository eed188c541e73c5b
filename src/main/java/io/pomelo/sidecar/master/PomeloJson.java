package io.pomelo.sidecar.master;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.pomelo.sidecar.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * master.json and adminUser.json as Node's {@code require()} reads them: UTF-8 with one BOM dropped, strict JSON,
 * a repeated key keeping its last value. Objects become {@link LinkedHashMap}s, arrays {@link List}s, numbers
 * {@link Double}s (JavaScript has one number type), JSON null Java null. The same rules as pomelo/JsonTreeReader,
 * for two small files whose shape needs no more than this.
 */
final class PomeloJson {

  private static final JsonFactory FACTORY = new JsonFactory();
  private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$-]*");

  private PomeloJson() {
  }

  static Object read(String file, byte[] content) throws ConfigException {
    String text = new String(content, StandardCharsets.UTF_8);
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    try (JsonParser parser = FACTORY.createParser(text)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        throw new ConfigException(file, "", null, "is empty; Pomelo needs JSON here");
      }
      Object root = value(parser, first);
      if (parser.nextToken() != null) {
        throw syntaxError(file, parser.currentTokenLocation(), "unexpected content after the end of the JSON value");
      }
      return root;
    } catch (JsonProcessingException e) {
      throw syntaxError(file, e.getLocation(), "is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ConfigException(file, "", null, "cannot be read: " + e.getMessage());
    }
  }

  /** {@code base.key}, or {@code base["odd key"]} when the key would not read as one name. */
  static String member(String base, String key) {
    if (PLAIN_KEY.matcher(key).matches()) {
      return base.isEmpty() ? key : base + "." + key;
    }
    return base + "[\"" + key.replace("\\", "\\\\").replace("\"", "\\\"") + "\"]";
  }

  /** The value as JSON-ish text for a message, cut at 80 characters; null stays null (a missing value). */
  static String shown(Object value) {
    if (value == null) {
      return null;
    }
    String text;
    if (value instanceof String s) {
      text = "\"" + s + "\"";
    } else if (value instanceof Double d && d == Math.rint(d) && !d.isInfinite()) {
      text = Long.toString(d.longValue());
    } else if (value instanceof Map<?, ?>) {
      text = "{...}";
    } else if (value instanceof List<?> list) {
      text = "[" + list.size() + " elements]";
    } else {
      text = String.valueOf(value);
    }
    return text.length() <= 80 ? text : text.substring(0, 77) + "...";
  }

  /** JavaScript truthiness, as in Pomelo's {@code if (file[env])}. */
  static boolean truthy(Object value) {
    if (value == null) {
      return false;
    }
    if (value instanceof Boolean b) {
      return b;
    }
    if (value instanceof Double d) {
      return d != 0 && !d.isNaN();
    }
    if (value instanceof String s) {
      return !s.isEmpty();
    }
    return true;
  }

  private static ConfigException syntaxError(String file, JsonLocation at, String rule) {
    String place = at == null ? "" : "line " + at.getLineNr() + ", column " + at.getColumnNr();
    return new ConfigException(file, place, null, rule);
  }

  private static Object value(JsonParser parser, JsonToken token) throws IOException {
    return switch (token) {
      case START_OBJECT -> {
        Map<String, Object> members = new LinkedHashMap<>();
        for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
          String key = parser.currentName();
          // JSON.parse keeps the last value of a repeated key, at the first one's position: so does put.
          members.put(key, value(parser, parser.nextToken()));
        }
        yield members;
      }
      case START_ARRAY -> {
        List<Object> elements = new ArrayList<>();
        for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
          elements.add(value(parser, t));
        }
        yield elements;
      }
      case VALUE_STRING -> parser.getText();
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> parser.getDoubleValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      default -> throw new IllegalStateException("unexpected token " + token);
    };
  }
}

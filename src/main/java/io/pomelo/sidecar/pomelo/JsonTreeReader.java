package io.pomelo.sidecar.pomelo;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.pomelo.sidecar.config.ConfigException;
import io.pomelo.sidecar.config.ConfigProblem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads bytes into {@link JsValue}s the way Pomelo's {@code require('servers.json')} does: UTF-8 with a leading
 * byte order mark dropped, strict JSON (no comments, no trailing commas), one value only, and a repeated key
 * keeping the last value. Jackson's defaults already refuse what {@code JSON.parse} refuses.
 */
final class JsonTreeReader {

  private static final JsonFactory FACTORY = new JsonFactory();

  /**
   * @param root          the file's value
   * @param duplicateKeys the place of every repeated key, which {@code JSON.parse} resolves silently
   */
  record Result(JsValue root, List<String> duplicateKeys) {
  }

  private final List<String> duplicateKeys = new ArrayList<>();

  private JsonTreeReader() {
  }

  static Result read(String file, byte[] content) throws ConfigException {
    // Node decodes as UTF-8 (bad bytes become U+FFFD) and strips one BOM before JSON.parse.
    String text = new String(content, StandardCharsets.UTF_8);
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    JsonTreeReader reader = new JsonTreeReader();
    try (JsonParser parser = FACTORY.createParser(text)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        throw new ConfigException(file, "", null, "is empty; Pomelo needs a JSON object");
      }
      JsValue root = reader.value(parser, first, "");
      if (parser.nextToken() != null) {
        throw syntaxError(file, parser.currentTokenLocation(), "unexpected content after the end of the JSON value");
      }
      return new Result(root, reader.duplicateKeys);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw syntaxError(file, at, "is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      // Parsing an in-memory string has no real I/O; this is here for the checked signature.
      throw new ConfigException(file, "", null, "cannot be read: " + e.getMessage());
    }
  }

  private static ConfigException syntaxError(String file, JsonLocation at, String rule) {
    String place = at == null ? "" : "line " + at.getLineNr() + ", column " + at.getColumnNr();
    return new ConfigException(new ConfigProblem(file, place, null, rule));
  }

  private JsValue value(JsonParser parser, JsonToken token, String place) throws IOException {
    return switch (token) {
      case START_OBJECT -> object(parser, place);
      case START_ARRAY -> array(parser, place);
      case VALUE_STRING -> new JsValue.JsString(parser.getText());
      // JavaScript has one number type, so 3050 and 3050.0 are the same value.
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> new JsValue.JsNumber(parser.getDoubleValue());
      case VALUE_TRUE -> new JsValue.JsBoolean(true);
      case VALUE_FALSE -> new JsValue.JsBoolean(false);
      case VALUE_NULL -> new JsValue.JsNull();
      default -> throw new IllegalStateException("unexpected token " + token);
    };
  }

  private JsValue object(JsonParser parser, String place) throws IOException {
    Map<String, JsValue> members = new LinkedHashMap<>();
    for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
      String key = parser.currentName();
      String memberPlace = JsonPlace.member(place, key);
      JsValue member = value(parser, parser.nextToken(), memberPlace);
      if (members.put(key, member) != null) {
        duplicateKeys.add(memberPlace);
      }
    }
    return new JsValue.JsObject(members);
  }

  private JsValue array(JsonParser parser, String place) throws IOException {
    List<JsValue> elements = new ArrayList<>();
    for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
      elements.add(value(parser, t, JsonPlace.element(place, elements.size())));
    }
    return new JsValue.JsArray(elements);
  }
}

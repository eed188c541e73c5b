package io.pomelo.sidecar.pomelo;

import static org.quicktheories.generators.SourceDSL.lists;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * QuickTheories generators of servers.json variants: nearly-right files where any field may have the wrong type,
 * be missing or be odd, arbitrary JSON, and broken bytes. Files are built from generated parts (environments,
 * server types, servers, fields) with the plainest option first in each choice, so that QuickTheories shrinks a
 * failing file to few servers with few fields and plain values.
 */
final class JsonVariants {

  private static final List<String> TYPES = List.of("connector", "gate", "chat", "area", "GATE",
    "connector-server-1", "", "..", "a/b", "\u8fde\u63a5");
  private static final List<String> IDS = List.of("connector-server-1", "gate-server-1", "GATE",
    "\u670d\u52a1\u5668-1", "a b", "..", "x/y", "%2e", "\uD83D\uDE00", "");
  private static final List<String> ODD_NUMBERS = List.of("0", "-0", "1e400", "-1e400", "65535", "65536",
    "3014.5", "3050.0000000001", "1e2", "99999999999999999999", "4.9e-324", "\"3014\"", "\" 3014 \"",
    "\"0x0bc6\"", "-1");
  private static final List<String> LITERALS = List.of("true", "false", "null");

  /** Any JSON value nested up to four levels, or arrays and objects nested thousands deep. */
  static final Gen<String> ANY_JSON = sometimes(value(4), 6, deep());

  /** A servers.json shaped file: environments, types, server lists, each part possibly wrong. */
  static final Gen<String> SERVERS_FILE = serversFile();

  /** A servers file cut anywhere, with random bytes after the cut. */
  static final Gen<byte[]> BROKEN = broken();

  /** Numbers of every size and form JSON allows, and strings and floats where an integer belongs. */
  static final Gen<String> NUMBER = number();

  private JsonVariants() {
  }

  /** Half the files hold only servers Pomelo would start, so that the reader's accepting side is tested too. */
  private static Gen<String> serversFile() {
    return sometimes(serversFile(false), 2, serversFile(true));
  }

  private static Gen<String> serversFile(boolean mistakes) {
    Gen<String> servers = array(mistakes ? sometimes(server(true), 10, value(1)) : server(false), 6);
    Gen<String> types = object(sometimes(Generate.pick(TYPES), 4, text(10)),
      mistakes ? sometimes(servers, 6, value(1)) : servers, 4);
    List<Pair<Integer, Gen<String>>> shapes = new ArrayList<>(List.of(
      Pair.of(2, types),
      Pair.of(3, types.zip(types, (development, production) -> "{\"development\": " + development
        + ", \"production\": " + production + "}")),
      Pair.of(1, types.map(t -> "\uFEFF" + t))));
    if (mistakes) {
      // Nested by environment, without the one the sidecar asks for.
      shapes.add(Pair.of(1, types.map(production -> "{\"production\": " + production + "}")));
    }
    return Generate.frequency(shapes);
  }

  /**
   * One server. Without mistakes it has every field a frontend needs, with good values; with mistakes any field
   * may be missing (one time in five), odd (one in five) or any JSON (one in five).
   */
  private static Gen<String> server(boolean mistakes) {
    Gen<String> port = Generate.range(1, 65_535, 3050).map(p -> Integer.toString(p));
    Gen<String> oddPort = sometimes(Generate.range(-70_000, 70_000).map(p -> Integer.toString(p)), 2, number());
    Gen<String> host = Generate.pick(List.of("\"127.0.0.1\"", "\"0.0.0.0\"", "\"::\"", "\"game.example.com\""));
    Gen<String> oddHost = Generate.pick(List.of("\"\"", "\"*\"", "\"[::1]\"", "\" 127.0.0.1\""));
    List<Field> fields = List.of(
      new Field("id", true, sometimes(Generate.pick(IDS), 3, text(20)).map(JsonVariants::quote),
        Generate.pick(List.of("\"\"", "\" \"", "1"))),
      new Field("host", true, host, oddHost),
      new Field("port", true, port, oddPort),
      new Field("clientPort", true, port, oddPort),
      new Field("frontend", true, Generate.pick(List.of("true", "false")),
        Generate.pick(List.of("\"true\"", "1", "0"))),
      // Legal but huge counts (65535) take seconds each; the cap itself has its own test.
      new Field("clusterCount", false, Generate.pick(List.of("1", "2", "3")), Generate.pick(List.of("0", "\"2\"",
        "\" 4 \"", "-1", "2.5", "65536", "1e400", "\"x\"", "100", "[2]", "true"))),
      new Field("clientHost", false, host, oddHost),
      new Field("wsPort", false, port, oddPort),
      new Field("args", false, value(1), value(1)),
      new Field("max-connections", false, value(1), value(1)));
    List<Gen<Optional<String>>> members = new ArrayList<>();
    for (Field field : fields) {
      Gen<String> member = (mistakes ? Generate.frequency(List.of(Pair.of(3, field.good()), Pair.of(1, field.odd()),
        Pair.of(1, value(1)))) : field.good()).map(v -> quote(field.name()) + ": " + v);
      members.add(field.required() && !mistakes ? member.map(Optional::of) : member.toOptionals(mistakes ? 20 : 70));
    }
    return in -> {
      List<String> present = new ArrayList<>();
      for (Gen<Optional<String>> member : members) {
        member.generate(in).ifPresent(present::add);
      }
      return "{" + String.join(", ", present) + "}";
    };
  }

  private static Gen<byte[]> broken() {
    Gen<byte[]> noise = Generate.byteArrays(Generate.range(0, 40), Generate.bytes(Byte.MIN_VALUE, Byte.MAX_VALUE,
      (byte) 0));
    Gen<byte[]> cut = SERVERS_FILE.map(f -> f.getBytes(StandardCharsets.UTF_8)).zip(Generate.range(0, 1000),
      noise, (whole, per1000, tail) -> {
        int at = (int) ((long) whole.length * per1000 / 1000);
        byte[] broken = new byte[at + tail.length];
        System.arraycopy(whole, 0, broken, 0, at);
        System.arraycopy(tail, 0, broken, at, tail.length);
        return broken;
      });
    return cut.describedAs(JsonVariants::describe);
  }

  private static Gen<String> value(int depth) {
    Gen<String> scalar = Generate.frequency(List.of(Pair.of(1, Generate.pick(LITERALS)), Pair.of(1, number()),
      Pair.of(1, text(12).map(JsonVariants::quote))));
    if (depth == 0) {
      return scalar;
    }
    Gen<String> inner = value(depth - 1);
    return Generate.frequency(List.of(Pair.of(3, scalar), Pair.of(1, array(inner, 4)),
      Pair.of(1, object(text(8), inner, 4))));
  }

  private static Gen<String> number() {
    Gen<String> huge = Generate.range(0, 5000).zip(Generate.range(-400, 400), Generate.booleans(),
      (zeros, exponent, negative) -> (negative ? "-" : "") + "1" + "0".repeat(zeros)
        + (exponent == 0 ? "" : "e" + exponent));
    return sometimes(Generate.pick(ODD_NUMBERS), 4, huge);
  }

  /** Arrays or objects nested up to 10 000 deep, closed or not: refused, never a stack overflow. */
  private static Gen<String> deep() {
    return Generate.range(1, 10_000).zip(Generate.pick(List.of("[", "{\"a\": ")), Generate.booleans(),
      (depth, open, closed) -> open.repeat(depth) + (closed ? (open.equals("[") ? "]" : "}").repeat(depth) : ""));
  }

  /** Any UTF-16 units, lone surrogates and controls included. */
  private static Gen<String> text(int maxLength) {
    Gen<Character> unit = Generate.frequency(List.of(Pair.of(1, Generate.characters(' ', '~')),
      Pair.of(1, Generate.characters(0, 0x1f)), Pair.of(1, Generate.characters(0xD800, 0xDFFF)),
      Pair.of(1, Generate.characters(0, 0xFFFF))));
    return lists().of(unit).ofSizeBetween(0, maxLength).map(units -> {
      StringBuilder b = new StringBuilder(units.size());
      units.forEach(b::append);
      return b.toString();
    });
  }

  private static Gen<String> array(Gen<String> element, int maxSize) {
    return lists().of(element).ofSizeBetween(0, maxSize).map(elements -> "[" + String.join(", ", elements) + "]");
  }

  private static Gen<String> object(Gen<String> keys, Gen<String> values, int maxSize) {
    return lists().of(keys.zip(values, (k, v) -> quote(k) + ": " + v)).ofSizeBetween(0, maxSize)
      .map(members -> "{" + String.join(", ", members) + "}");
  }

  /** A server field: its good values, and odd ones of the right kind or type (wrong JSON comes on top). */
  private record Field(String name, boolean required, Gen<String> good, Gen<String> odd) {
  }

  /** {@code rare} one time in {@code oneIn}, else {@code usual}; shrinking moves towards {@code usual}. */
  private static <T> Gen<T> sometimes(Gen<T> usual, int oneIn, Gen<T> rare) {
    return Generate.frequency(List.of(Pair.of(oneIn - 1, usual), Pair.of(1, rare)));
  }

  /** Bytes as text where they are UTF-8, with the hex beside them for the exact replay. */
  private static String describe(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8) + " (hex " + HexFormat.of().formatHex(bytes) + ")";
  }

  /** A JSON string literal; controls and lone surrogates as escapes, which JSON allows and Node decodes. */
  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20 || Character.isSurrogate(c)) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }
}

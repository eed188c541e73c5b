package io.pomelo.sidecar.pomelo;

import java.util.List;
import java.util.Random;

/**
 * Generates servers.json variants from a seed: nearly-right files where any field may have the wrong type, be
 * missing or be odd, arbitrary JSON, and broken bytes. The same seed gives the same files, so a failure names its
 * seed and can be replayed.
 */
final class JsonVariants {

  private static final List<String> TYPES = List.of("gate", "connector", "chat", "area", "GATE",
    "connector-server-1", "", "..", "a/b", "\u8fde\u63a5");
  private static final List<String> IDS = List.of("gate-server-1", "connector-server-1", "connector-server-1",
    "GATE", "\u670d\u52a1\u5668-1", "a b", "..", "x/y", "%2e", "\uD83D\uDE00", "");
  private static final List<String> NUMBERS = List.of("0", "-0", "1e400", "65535", "65536", "3014.5", "1e2",
    "99999999999999999999", "4.9e-324", "\"3014\"", "\" 3014 \"", "\"0x0bc6\"", "-1", "3014");
  private static final List<String> HOSTS = List.of("\"127.0.0.1\"", "\"0.0.0.0\"", "\"::\"", "\"[::1]\"", "\"\"",
    "\"*\"", "\"game.example.com\"");
  private static final List<String> FIELDS = List.of("id", "host", "port", "clientPort", "frontend", "clusterCount",
    "clientHost", "wsPort", "args", "max-connections");

  private final Random random;

  JsonVariants(long seed) {
    this.random = new Random(seed);
  }

  /** A servers.json shaped file: environments, types, server lists, each part possibly wrong. */
  String serversFile() {
    String types = types();
    return switch (random.nextInt(7)) {
      case 0, 1, 2 -> "{\"development\": " + types + ", \"production\": " + types() + "}";
      case 3, 4 -> types;
      case 5 -> "{\"production\": " + types + "}";
      default -> "\uFEFF" + types;
    };
  }

  /** Any JSON value up to a small depth. */
  String anyJson() {
    return value(4);
  }

  /** A servers file cut at a random point, with random bytes after the cut. */
  byte[] broken() {
    byte[] whole = serversFile().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    int at = random.nextInt(whole.length + 1);
    byte[] noise = new byte[random.nextInt(40)];
    random.nextBytes(noise);
    byte[] broken = new byte[at + noise.length];
    System.arraycopy(whole, 0, broken, 0, at);
    System.arraycopy(noise, 0, broken, at, noise.length);
    return broken;
  }

  private String types() {
    StringBuilder b = new StringBuilder("{");
    int n = random.nextInt(5);
    for (int i = 0; i < n; i++) {
      String name = random.nextInt(4) == 0 ? randomText(10) : pick(TYPES);
      b.append(i == 0 ? "" : ", ").append(quote(name)).append(": ").append(random.nextInt(6) == 0 ? value(1)
        : servers());
    }
    return b.append('}').toString();
  }

  private String servers() {
    StringBuilder b = new StringBuilder("[");
    int n = random.nextInt(7);
    for (int i = 0; i < n; i++) {
      b.append(i == 0 ? "" : ", ").append(random.nextInt(10) == 0 ? value(1) : server());
    }
    return b.append(']').toString();
  }

  private String server() {
    StringBuilder b = new StringBuilder("{");
    boolean first = true;
    for (String field : FIELDS) {
      if (random.nextInt(5) == 0) {
        continue;
      }
      b.append(first ? "" : ", ").append(quote(field)).append(": ").append(fieldValue(field));
      first = false;
    }
    return b.append('}').toString();
  }

  private String fieldValue(String field) {
    if (random.nextInt(5) == 0) {
      return value(1);
    }
    return switch (field) {
      case "id" -> quote(random.nextInt(3) == 0 ? randomText(20) : pick(IDS));
      case "host", "clientHost" -> pick(HOSTS);
      case "frontend" -> pick(List.of("true", "false", "\"true\"", "1", "0"));
      // Legal but huge counts (65535) take seconds each; the cap itself has its own test.
      case "clusterCount" -> pick(List.of("0", "1", "3", "\"2\"", "\" 4 \"", "-1", "2.5", "65536", "1e400", "\"x\"",
        "100", "[2]", "true"));
      case "port", "clientPort", "wsPort" -> random.nextBoolean() ? pick(NUMBERS)
        : String.valueOf(random.nextInt(140_000) - 70_000);
      default -> value(1);
    };
  }

  private String value(int depth) {
    int kind = depth == 0 ? random.nextInt(3) : random.nextInt(5);
    return switch (kind) {
      case 0 -> quote(randomText(12));
      case 1 -> pick(NUMBERS);
      case 2 -> pick(List.of("true", "false", "null"));
      case 3 -> {
        StringBuilder b = new StringBuilder("[");
        int n = random.nextInt(5);
        for (int i = 0; i < n; i++) {
          b.append(i == 0 ? "" : ", ").append(value(depth - 1));
        }
        yield b.append(']').toString();
      }
      default -> {
        StringBuilder b = new StringBuilder("{");
        int n = random.nextInt(5);
        for (int i = 0; i < n; i++) {
          b.append(i == 0 ? "" : ", ").append(quote(randomText(8))).append(": ").append(value(depth - 1));
        }
        yield b.append('}').toString();
      }
    };
  }

  /** Any UTF-16 units, lone surrogates and controls included. */
  private String randomText(int maxLength) {
    int length = random.nextInt(maxLength + 1);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < length; i++) {
      b.append(switch (random.nextInt(4)) {
        case 0 -> (char) (random.nextInt(95) + 32);
        case 1 -> (char) random.nextInt(0x20);
        case 2 -> (char) (0xD800 + random.nextInt(0x800));
        default -> (char) random.nextInt(0x10000);
      });
    }
    return b.toString();
  }

  private String pick(List<String> options) {
    return options.get(random.nextInt(options.size()));
  }

  /** A JSON string literal; controls and lone surrogates as escapes, which JSON allows and Node decodes. */
  static String quote(String s) {
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

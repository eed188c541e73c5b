package io.pomelo.sidecar.proxy;

import io.pomelo.sidecar.route.Route;
import io.pomelo.sidecar.route.RouteKind;
import io.pomelo.sidecar.route.RouteTable;
import io.pomelo.sidecar.route.Target;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No request reaches a route it does not name: for paths built at random from the pieces attackers use, whenever
 * {@link RequestPath} lets a path through, the route it matches is the route that a server resolving the path per
 * RFC 3986 (decoding, then removing dot segments) would also place it under.
 */
class RequestPathTest {

  private static final List<String> PIECES = List.of("gate", "connector-server-1", "GATE", "..", ".", "%2e", "%2E%2e",
    ".%2e", "%2F", "%2f", "%5C", "\\", "", "a", "%67ate", "x%20y", "%", "%zz", "%00", ";", "gate%2F..", "~", "%7E",
    "%E6%88%BF", "connector-server-1;x", "@", "gate?", "?", "#");

  private static final RouteTable TABLE = new RouteTable(List.of(
    route("/gate/"), route("/connector-server-1/"), route("/connector/")));

  private static Route route(String path) {
    return new Route(path, RouteKind.SERVER, "t", List.of(new Target("id", "t", "127.0.0.1", 1)), false);
  }

  @Test
  void aPathThatPassesMatchesTheRouteItResolvesTo() {
    Random random = new Random(6455);
    int passed = 0;
    for (int i = 0; i < 200_000; i++) {
      StringBuilder path = new StringBuilder();
      int segments = 1 + random.nextInt(5);
      for (int s = 0; s < segments; s++) {
        path.append('/').append(PIECES.get(random.nextInt(PIECES.size())));
      }
      if (random.nextBoolean()) {
        path.append('/');
      }
      String uri = path.toString();
      if (RequestPath.problem(uri) != null) {
        continue;
      }
      passed++;
      String rawPath = uri.indexOf('?') >= 0 ? uri.substring(0, uri.indexOf('?')) : uri;
      Route matched = TABLE.match(rawPath);
      Route resolved = TABLE.match(resolve(rawPath));
      assertThat(matched).as(uri).isEqualTo(resolved);
    }
    assertThat(passed).isGreaterThan(1000);
  }

  @Test
  void anyStringGetsAReasonOrIsAPrintableAsciiPath() {
    Random random = new Random(1);
    for (int i = 0; i < 100_000; i++) {
      char[] chars = new char[random.nextInt(20)];
      for (int c = 0; c < chars.length; c++) {
        chars[c] = (char) (random.nextBoolean() ? random.nextInt(128) : random.nextInt(0x10000));
      }
      for (String uri : List.of(new String(chars), "/" + new String(chars))) {
        String problem = RequestPath.problem(uri);
        if (problem != null) {
          assertThat(problem).as(uri).isNotBlank();
          continue;
        }
        String path = uri.indexOf('?') >= 0 ? uri.substring(0, uri.indexOf('?')) : uri;
        assertThat(path).as(uri).startsWith("/").doesNotContain("\\", " ")
          .matches("[\\x21-\\x7e]*");
      }
    }
  }

  /** RFC 3986: percent-decode everything, then remove dot segments (5.2.4). */
  private static String resolve(String path) {
    String decoded = decode(path);
    Deque<String> out = new ArrayDeque<>();
    String[] parts = decoded.split("/", -1);
    for (int i = 1; i < parts.length; i++) {
      String part = parts[i];
      boolean last = i == parts.length - 1;
      if (part.equals("..")) {
        if (!out.isEmpty()) {
          out.removeLast();
        }
        if (last) {
          out.addLast("");
        }
      } else if (part.equals(".")) {
        if (last) {
          out.addLast("");
        }
      } else {
        out.addLast(part);
      }
    }
    return "/" + String.join("/", out);
  }

  private static String decode(String path) {
    byte[] bytes = new byte[path.length() * 3];
    int n = 0;
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '%' && i + 2 < path.length()) {
        bytes[n++] = (byte) Integer.parseInt(path.substring(i + 1, i + 3), 16);
        i += 2;
      } else {
        for (byte b : String.valueOf(c).getBytes(StandardCharsets.UTF_8)) {
          bytes[n++] = b;
        }
      }
    }
    return new String(bytes, 0, n, StandardCharsets.UTF_8);
  }
}

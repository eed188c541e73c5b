package io.pomelo.sidecar.proxy;

/**
 * Decides whether a request path may be matched against the routes as it stands. Routes are matched byte for
 * byte, case-sensitively (Pomelo server ids are), with no slashes merged, and the Pomelo server receives exactly
 * the path that was matched. That is only safe when the path cannot mean something else further on, so a path is
 * refused (400) when it has:
 * <ul>
 *   <li>a dot segment, {@code .} or {@code ..}, raw or percent-encoded: {@code /gate/../connector-server-1/} must
 *   not reach connector-server-1 through the gate route, nor the gate through a route it does not name;</li>
 *   <li>a percent-encoded unreserved character ({@code %67ate}): RFC 3986 2.3 says to decode those, and decoding
 *   would change which route matches; clients never send them;</li>
 *   <li>an encoded slash or backslash ({@code %2F}, {@code %5C}), a raw backslash, {@code %00}, or any character
 *   RFC 3986 does not allow in a path (spaces, controls, non-ASCII bytes);</li>
 *   <li>a request target that is not a path ({@code GET https://host/gate/}, {@code OPTIONS *}).</li>
 * </ul>
 * What is left ({@code //gate/}, {@code /GATE/}) is matched as it is and names no route: 404.
 */
final class RequestPath {

  private RequestPath() {
  }

  /** Null when {@code uri} (the request target as received) may be routed, else why not. */
  static String problem(String uri) {
    if (uri == null || uri.isEmpty() || uri.charAt(0) != '/') {
      return "the request target must be a path starting with /";
    }
    int end = uri.length();
    int query = uri.indexOf('?');
    if (query >= 0) {
      end = query;
    }
    int segmentStart = 1;
    for (int i = 0; i <= end; i++) {
      char c = i < end ? uri.charAt(i) : '/';
      if (c == '/') {
        if (i > 0 && isDotSegment(uri, segmentStart, i)) {
          return "dot segments (. and ..) are not allowed in the path";
        }
        segmentStart = i + 1;
        continue;
      }
      if (c == '%') {
        int decoded = hex(uri, i + 1, end);
        if (decoded < 0) {
          return "a % in the path must start an escape such as %20";
        }
        if (decoded == '/' || decoded == '\\') {
          return "encoded slashes (%2F, %5C) are not allowed in the path";
        }
        if (decoded < 0x20 || decoded == 0x7f) {
          return "encoded control characters are not allowed in the path";
        }
        if (isUnreserved((char) decoded)) {
          return "unreserved characters must not be percent-encoded in the path (RFC 3986 2.3)";
        }
        i += 2;
        continue;
      }
      if (!isPathChar(c)) {
        return "the path has a character that RFC 3986 does not allow there";
      }
    }
    return null;
  }

  private static boolean isDotSegment(String uri, int from, int to) {
    int length = to - from;
    return length == 1 && uri.charAt(from) == '.' || length == 2 && uri.charAt(from) == '.'
      && uri.charAt(from + 1) == '.';
  }

  /** The byte a {@code %XX} escape at {@code at} stands for, or -1 when it is not one. */
  private static int hex(String uri, int at, int end) {
    if (at + 2 > end) {
      return -1;
    }
    int high = hexDigit(uri.charAt(at));
    int low = hexDigit(uri.charAt(at + 1));
    return high < 0 || low < 0 ? -1 : high * 16 + low;
  }

  /** ASCII only: Character.digit would also take other scripts' digits. */
  private static int hexDigit(char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10
      : -1;
  }

  /** RFC 3986 2.3. */
  private static boolean isUnreserved(char c) {
    return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_'
      || c == '~';
  }

  /** RFC 3986 pchar without the escape: unreserved, sub-delims, ':' and '@'. */
  private static boolean isPathChar(char c) {
    return isUnreserved(c) || "!$&'()*+,;=:@".indexOf(c) >= 0;
  }
}

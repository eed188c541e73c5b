package io.pomelo.sidecar.acme;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where a plain-HTTP request is sent on https: one of the configured names (the request's Host only picks which, it
 * is never copied) and the request's own path and query, copied byte for byte once they are known to be harmless.
 */
final class RedirectTarget {

  /** A DNS name: what may stand in a Location's authority. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?"
    + "(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*");

  private final List<String> names;
  private final String portSuffix;

  RedirectTarget(List<String> names, int httpsPort) {
    for (String name : names) {
      if (name == null || name.length() > 253 || !NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("redirect name must be a DNS name, got '" + name + "'");
      }
    }
    if (httpsPort < 1 || httpsPort > 65535) {
      throw new IllegalArgumentException("httpsPort must be between 1 and 65535, got " + httpsPort);
    }
    this.names = List.copyOf(names);
    this.portSuffix = httpsPort == 443 ? "" : ":" + httpsPort;
  }

  /** False when no name is configured: then nothing is redirected. */
  boolean enabled() {
    return !names.isEmpty();
  }

  /**
   * The Location for a request with this {@code host} header (may be null) and raw request-target {@code uri}, or
   * null when the target is not a plain origin-form path that is safe to copy.
   */
  String location(String host, String uri) {
    if (!isSafeTarget(uri)) {
      return null;
    }
    return "https://" + nameFor(host) + portSuffix + uri;
  }

  /** The configured name the Host header names (any case, any port), else the first configured name. */
  String nameFor(String host) {
    String wanted = hostPart(host);
    if (wanted != null) {
      for (String name : names) {
        if (name.equalsIgnoreCase(wanted)) {
          return name;
        }
      }
    }
    return names.get(0);
  }

  /** The host of a Host header without its port, or null when it is not a name with an optional numeric port. */
  private static String hostPart(String host) {
    if (host == null) {
      return null;
    }
    int colon = host.lastIndexOf(':');
    String name = colon < 0 ? host : host.substring(0, colon);
    if (colon >= 0) {
      String port = host.substring(colon + 1);
      if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return null;
      }
    }
    return NAME.matcher(name).matches() ? name.toLowerCase(Locale.ROOT) : null;
  }

  /**
   * True for an origin-form target (RFC 9112 3.2.1) of only the characters RFC 3986 allows in a path and query, with
   * well-formed escapes that decode to no control character. It may not start with {@code //}, which a browser
   * following a relative redirect would read as another authority, and may hold no backslash, which browsers read
   * as a slash.
   */
  static boolean isSafeTarget(String uri) {
    if (uri == null || uri.isEmpty() || uri.charAt(0) != '/' || uri.startsWith("//")) {
      return false;
    }
    for (int i = 0; i < uri.length(); i++) {
      char c = uri.charAt(i);
      if (c == '%') {
        if (i + 2 >= uri.length()) {
          return false;
        }
        int high = Character.digit(uri.charAt(i + 1), 16);
        int low = Character.digit(uri.charAt(i + 2), 16);
        if (high < 0 || low < 0) {
          return false;
        }
        int decoded = high * 16 + low;
        if (decoded < 0x20 || decoded == 0x7f) {
          return false;
        }
        i += 2;
      } else if (!allowed(c)) {
        return false;
      }
    }
    return true;
  }

  /** RFC 3986 unreserved, sub-delims, ':', '@', '/' and '?'. */
  private static boolean allowed(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
      || "-._~!$&'()*+,;=:@/?".indexOf(c) >= 0;
  }
}

package io.pomelo.sidecar.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;

import java.util.Set;

/**
 * Hop-by-hop headers (RFC 9110 7.6.1): the fixed ones and every header the sender named in {@code Connection},
 * which describe one connection and must not travel to the next. A client could otherwise make the sidecar pass
 * on a header that it meant only for the sidecar, or hide one from it.
 */
final class HopByHop {

  private static final Set<String> FIXED = Set.of("connection", "keep-alive", "proxy-connection", "te", "trailer",
    "transfer-encoding", "upgrade", "proxy-authorization", "proxy-authenticate");

  private HopByHop() {
  }

  /** Removes them from {@code headers} (names are case-insensitive in a MultiMap) and returns it. */
  static MultiMap strip(MultiMap headers) {
    // getAll copies, so removing while going through it is safe; most requests have one short Connection value.
    for (String value : headers.getAll(HttpHeaders.CONNECTION)) {
      for (String token : value.split(",")) {
        String name = token.trim();
        // Host names the origin, not the hop: a client must not strip it from what the server sees.
        if (!name.isEmpty() && !name.equalsIgnoreCase("host")) {
          headers.remove(name);
        }
      }
    }
    for (String name : FIXED) {
      headers.remove(name);
    }
    return headers;
  }
}

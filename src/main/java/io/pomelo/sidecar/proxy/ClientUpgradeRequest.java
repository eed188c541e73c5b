package io.pomelo.sidecar.proxy;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

import java.util.Base64;
import java.util.Locale;

/**
 * The client's upgrade request, as it arrives: its shape is checked before any Pomelo server is dialled, so a
 * malformed one costs the sidecar nothing and the server never sees it. The rules are RFC 6455 4.2.1 as {@code ws}
 * (the library under Pomelo) applies them: GET over HTTP/1.1, a Sec-WebSocket-Key of 16 bytes in base64, version 13
 * or 8.
 */
final class ClientUpgradeRequest {

  private ClientUpgradeRequest() {
  }

  /** True when the request asks for a WebSocket at all, well-formed or not. */
  static boolean asksForUpgrade(HttpServerRequest request) {
    String upgrade = request.getHeader(HttpHeaders.UPGRADE);
    return upgrade != null && upgrade.toLowerCase(Locale.ROOT).contains("websocket");
  }

  /** Null when the upgrade is well-formed, else why not. */
  static String problem(HttpServerRequest request) {
    if (!request.canUpgradeToWebSocket()) {
      return request.method() != HttpMethod.GET ? "a WebSocket upgrade must be a GET"
        : request.version() != HttpVersion.HTTP_1_1 ? "a WebSocket upgrade needs HTTP/1.1"
        : "a WebSocket upgrade needs Connection: Upgrade";
    }
    String version = request.getHeader("Sec-WebSocket-Version");
    if (version == null || !(version.trim().equals("13") || version.trim().equals("8"))) {
      return "unsupported Sec-WebSocket-Version (this server speaks 13)";
    }
    String key = request.getHeader("Sec-WebSocket-Key");
    if (key == null || !isKey(key.trim())) {
      return "Sec-WebSocket-Key must be 16 bytes in base64";
    }
    return null;
  }

  private static boolean isKey(String key) {
    if (key.length() != 24) {
      return false;
    }
    try {
      return Base64.getDecoder().decode(key).length == 16;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}

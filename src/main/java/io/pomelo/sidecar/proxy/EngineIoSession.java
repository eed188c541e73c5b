package io.pomelo.sidecar.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * Where engine.io 1.8 (socket.io's transport, Pomelo's sioconnector) carries its session id: the {@code sid} query
 * parameter of every request after the handshake, also the {@code io} cookie; and on the handshake's answer the
 * {@code Set-Cookie: io=<sid>} header, which engine.io sets unless its {@code cookie} option is off.
 */
final class EngineIoSession {

  /** engine.io's default cookie name; Pomelo's sioconnector does not change it. */
  static final String COOKIE = "io";

  private EngineIoSession() {
  }

  /** The session {@code request} belongs to: its {@code sid} parameter, else its {@code io} cookie, else null. */
  static String of(HttpServerRequest request) {
    String sid = request.getParam("sid");
    if (sid != null && !sid.isEmpty()) {
      return sid;
    }
    Cookie cookie = request.getCookie(COOKIE);
    return cookie == null || cookie.getValue().isEmpty() ? null : cookie.getValue();
  }

  /** Whether {@code request} is an engine.io handshake: it names the protocol ({@code EIO}) and no session. */
  static boolean handshake(HttpServerRequest request) {
    return request.getParam("EIO") != null && request.getParam("sid") == null;
  }

  /** The session id a server's answer sets in the {@code io} cookie, or null when it sets none. */
  static String setBy(MultiMap responseHeaders) {
    String prefix = COOKIE + "=";
    for (String header : responseHeaders.getAll(HttpHeaders.SET_COOKIE)) {
      if (header.startsWith(prefix)) {
        int end = header.indexOf(';');
        String sid = header.substring(prefix.length(), end < 0 ? header.length() : end).trim();
        return sid.isEmpty() ? null : sid;
      }
    }
    return null;
  }
}

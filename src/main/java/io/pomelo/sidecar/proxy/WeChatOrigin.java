package io.pomelo.sidecar.proxy;

import io.pomelo.sidecar.config.WeChatConfig;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The WeChat mini-program allow-list. A mini-program cannot set its own Referer: WeChat sets
 * {@code https://servicewechat.com/<appid>/<version>/page-frame.html}, where version is the release number, {@code 0}
 * for development and trial builds, and {@code devtools} in the developer tools. This keeps honest clients of
 * other apps out; anything that is not WeChat can send any Referer it likes, so it is no authentication.
 */
final class WeChatOrigin {

  private static final Pattern REFERER =
    Pattern.compile("https://servicewechat\\.com/([A-Za-z0-9_-]+)/([A-Za-z0-9_.-]+)/page-frame\\.html");

  private final Set<String> appIds;
  private final boolean allowDevelopment;

  WeChatOrigin(WeChatConfig config) {
    this.appIds = Set.copyOf(config.appIds());
    this.allowDevelopment = config.allowDevelopment();
  }

  boolean enabled() {
    return !appIds.isEmpty();
  }

  /** Null when the request's Referer names an allowed mini-program, else why not. */
  String problem(HttpServerRequest request) {
    String referer = request.getHeader(HttpHeaders.REFERER);
    if (referer == null) {
      return "no Referer: only the allowed WeChat mini-programs may connect";
    }
    Matcher m = REFERER.matcher(referer.trim());
    if (!m.matches()) {
      return "the Referer is not a WeChat mini-program's";
    }
    if (!appIds.contains(m.group(1))) {
      return "this WeChat mini-program is not allowed";
    }
    String version = m.group(2);
    if (!allowDevelopment && (version.equals("0") || version.equals("devtools"))) {
      return "development builds of this mini-program are not allowed";
    }
    return null;
  }
}

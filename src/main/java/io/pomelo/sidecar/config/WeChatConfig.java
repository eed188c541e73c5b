package io.pomelo.sidecar.config;

import java.util.List;

/**
 * The WeChat mini-program allow-list ({@code wechat:}). WeChat sends
 * {@code Referer: https://servicewechat.com/<appid>/<version>/page-frame.html} with a mini-program's requests; with
 * {@code appIds} set, a WebSocket upgrade whose Referer names another app (or none) gets 403.
 *
 * @param appIds           default empty, which turns the check off: the mini-programs allowed to connect
 * @param allowDevelopment default false: also allow development builds (version {@code 0}, and {@code devtools} from
 *                         the WeChat developer tools)
 */
public record WeChatConfig(List<String> appIds, boolean allowDevelopment) {

  public WeChatConfig {
    appIds = List.copyOf(appIds);
  }

  public static WeChatConfig defaults() {
    return new WeChatConfig(List.of(), false);
  }

  public boolean enabled() {
    return !appIds.isEmpty();
  }
}

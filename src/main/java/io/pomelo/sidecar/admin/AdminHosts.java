package io.pomelo.sidecar.admin;

import io.netty.util.NetUtil;
import io.pomelo.sidecar.config.AdminConfig;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Answers 421 Misdirected Request to a request whose {@code Host} is not one of this listener's names: the address
 * the connection arrived on, {@code localhost} when that address is loopback, {@code admin.host} as written, each
 * with the port actually bound, and {@code admin.allowedHosts}. A page served from a name that its owner then
 * points at 127.0.0.1 (DNS rebinding) reaches this port with that name in Host, so it is refused before it can read
 * anything. Every endpoint is checked, the probes too, as Caddy's admin API does. Only an HTTP/1.0 request may leave
 * Host out: no browser does, and health checkers such as HAProxy's {@code httpchk} do by default.
 */
final class AdminHosts implements Handler<RoutingContext> {

  /** The port a Host without one means, on plain HTTP. */
  private static final int HTTP_PORT = 80;

  private final String configured;
  /** admin.allowedHosts; a port of -1 stands for any port. */
  private final List<HostAndPort> allowed = new ArrayList<>();

  AdminHosts(AdminConfig config) {
    String host = bare(config.listener().host());
    InetAddress literal = NetUtil.createInetAddressFromIpAddressString(host);
    // 0.0.0.0 and :: say where to bind, not a name to be reached by: a browser sends Host 0.0.0.0 when a page
    // aims at this host through the "0.0.0.0 means localhost" back door.
    this.configured = literal != null && literal.isAnyLocalAddress() ? null : host;
    for (String entry : config.allowedHosts()) {
      HostAndPort parsed = HostAndPort.parseAuthority(entry, -1);
      if (parsed != null) {
        allowed.add(HostAndPort.create(bare(parsed.host()), parsed.port()));
      }
    }
  }

  @Override
  public void handle(RoutingContext ctx) {
    // Vert.x Web has already answered 400 to an HTTP/1.1 request without Host: one without it here is HTTP/1.0.
    String host = ctx.request().getHeader(HttpHeaders.HOST);
    if (host == null || answersTo(host.trim(), ctx.request().localAddress())) {
      ctx.next();
      return;
    }
    AdminListener.error(ctx, 421, "Host " + host + " is not this admin API's: it answers to "
      + ctx.request().localAddress().hostAddress() + ":" + ctx.request().localAddress().port()
      + "; add other names to admin.allowedHosts");
  }

  private boolean answersTo(String header, SocketAddress local) {
    HostAndPort asked = HostAndPort.parseAuthority(header, HTTP_PORT);
    if (asked == null) {
      return false;
    }
    String name = bare(asked.host());
    for (HostAndPort entry : allowed) {
      if (same(entry.host(), name) && (entry.port() < 0 || entry.port() == asked.port())) {
        return true;
      }
    }
    if (asked.port() != local.port()) {
      return false;
    }
    if (configured != null && same(configured, name)) {
      return true;
    }
    InetAddress arrivedOn = NetUtil.createInetAddressFromIpAddressString(local.hostAddress());
    return arrivedOn != null && (arrivedOn.equals(NetUtil.createInetAddressFromIpAddressString(name))
      || arrivedOn.isLoopbackAddress() && name.equals("localhost"));
  }

  /** Addresses compare as addresses ({@code ::ffff:127.0.0.1} is 127.0.0.1), names without regard to case. */
  private static boolean same(String a, String b) {
    InetAddress x = NetUtil.createInetAddressFromIpAddressString(a);
    return x == null ? a.equals(b) : x.equals(NetUtil.createInetAddressFromIpAddressString(b));
  }

  /** Lower case, and an IPv6 literal without its brackets. */
  private static String bare(String host) {
    String lower = host.toLowerCase(Locale.ROOT);
    return lower.startsWith("[") && lower.endsWith("]") ? lower.substring(1, lower.length() - 1) : lower;
  }
}

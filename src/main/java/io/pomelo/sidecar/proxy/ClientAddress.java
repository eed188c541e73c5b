package io.pomelo.sidecar.proxy;

import io.netty.util.NetUtil;
import io.pomelo.sidecar.config.ClientsConfig;
import io.pomelo.sidecar.config.Network;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place that says who the client is, for the headers to Pomelo, the per-address limits and the access log.
 * A connection's client is its peer, or with PROXY protocol ({@code clients.proxyProtocol}) the address its header
 * carried, which Vert.x's decoder reports as the connection's remote address; the header is believed only from
 * {@code trustedSources}, which {@link #refusal} checks. A request from a trusted forwarder
 * ({@code clients.trustedForwarders}) names its client in {@code X-Forwarded-For}: the rightmost entry outside those
 * networks, as nginx's {@code real_ip_recursive on} reads it, so entries a client wrote itself, on the left, count
 * for nothing.
 */
final class ClientAddress {

  private final List<Network> proxySources;
  private final List<Network> forwarders;

  ClientAddress(ClientsConfig config) {
    this.proxySources = Network.parseAll(config.proxyTrustedSources());
    this.forwarders = Network.parseAll(config.trustedForwarders());
  }

  /** The connection's client: what the per-address limits count. */
  static SocketAddress of(HttpConnection connection) {
    return connection.remoteAddress();
  }

  /** Null when {@code connection} may be served; with PROXY protocol, a refusal when its peer may not send one. */
  Refusal refusal(HttpConnection connection) {
    if (proxySources.isEmpty()) {
      return null;
    }
    InetAddress peer = inet(connection.remoteAddress(true));
    return peer != null && Network.anyContains(proxySources, peer) ? null : Refusal.UNTRUSTED_PROXY;
  }

  /** The request's client: from a trusted forwarder what its {@code X-Forwarded-For} says, else the connection's. */
  SocketAddress of(HttpServerRequest request) {
    SocketAddress peer = request.remoteAddress();
    if (!isForwarder(peer)) {
      return peer;
    }
    String client = peer.hostAddress();
    List<String> hops = hops(request);
    for (int i = hops.size() - 1; i >= 0; i--) {
      InetAddress hop = NetUtil.createInetAddressFromIpAddressString(hostOf(hops.get(i)));
      if (hop == null) {
        // Nothing left of an entry that is no address can be placed: the last forwarder is the client.
        break;
      }
      client = hop.getHostAddress();
      if (!Network.anyContains(forwarders, hop)) {
        break;
      }
    }
    return SocketAddress.inetSocketAddress(0, client);
  }

  /**
   * The {@code X-Forwarded-For} to send on: a trusted forwarder's with this hop's peer appended, or from anyone else
   * the client's address alone, whatever it sent.
   */
  String forwardedFor(HttpServerRequest request) {
    SocketAddress peer = request.remoteAddress();
    String ip = peer == null || peer.hostAddress() == null ? "unknown" : peer.hostAddress();
    if (!isForwarder(peer)) {
      return ip;
    }
    List<String> hops = hops(request);
    hops.add(ip);
    return String.join(", ", hops);
  }

  private boolean isForwarder(SocketAddress peer) {
    if (forwarders.isEmpty()) {
      return false;
    }
    InetAddress address = inet(peer);
    return address != null && Network.anyContains(forwarders, address);
  }

  /** Every entry of every {@code X-Forwarded-For} field, in order. */
  private static List<String> hops(HttpServerRequest request) {
    List<String> hops = new ArrayList<>();
    for (String field : request.headers().getAll(ForwardedHeaders.X_FORWARDED_FOR)) {
      for (String entry : field.split(",")) {
        if (!entry.isBlank()) {
          hops.add(entry.trim());
        }
      }
    }
    return hops;
  }

  /** An entry's address without the port some proxies add: {@code 192.0.2.1:5000}, {@code [2001:db8::1]:5000}. */
  private static String hostOf(String entry) {
    if (entry.startsWith("[")) {
      int end = entry.indexOf(']');
      return end < 0 ? entry : entry.substring(1, end);
    }
    int colon = entry.indexOf(':');
    return colon >= 0 && colon == entry.lastIndexOf(':') ? entry.substring(0, colon) : entry;
  }

  private static InetAddress inet(SocketAddress address) {
    return address == null || address.hostAddress() == null ? null
      : NetUtil.createInetAddressFromIpAddressString(address.hostAddress());
  }
}

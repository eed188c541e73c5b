package io.pomelo.sidecar.cli;

import io.pomelo.sidecar.config.BackendTlsConfig;
import io.pomelo.sidecar.config.CertificateConfig;
import io.pomelo.sidecar.config.ConfigException;
import io.pomelo.sidecar.config.ListenerConfig;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.route.Route;
import io.pomelo.sidecar.route.Target;
import io.pomelo.sidecar.run.LoadedFiles;
import io.pomelo.sidecar.tls.LoadedCertificate;
import io.pomelo.sidecar.tls.ServerTls;

import java.security.cert.CertificateParsingException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The sidecar's routes as nginx configuration for the {@code http {}} block: the same paths to the same servers,
 * the same forwarded headers, TLS 1.2 and 1.3 with the same certificates. For operators who already run nginx,
 * or who want to compare. Unlike the sidecar, nginx does not follow servers.json: the output is a snapshot.
 */
final class NginxExport {

  /** Characters nginx takes in a bare word; anything else is quoted. */
  private static final Pattern BARE = Pattern.compile("[A-Za-z0-9/._~+@:,=*-]+");
  private static final String TUNNEL_TIMEOUT = "3600s";

  private final SidecarConfig config;
  private final LoadedFiles files;
  private final String version;
  private final Map<List<Target>, String> upstreams = new LinkedHashMap<>();
  /** The ip_hash twin of each upstream, for the socket.io locations only. */
  private final Map<List<Target>, String> socketIoUpstreams = new LinkedHashMap<>();
  private final StringBuilder out = new StringBuilder();

  private NginxExport(SidecarConfig config, LoadedFiles files, String version) {
    this.config = config;
    this.files = files;
    this.version = version;
  }

  /**
   * @throws ConfigException when the configuration has something nginx cannot express (port 0, a route over TLS and
   *                         plain servers, TLS servers of one route with different names)
   */
  static String render(SidecarConfig config, LoadedFiles files, String version) throws ConfigException {
    if (config.listen().port() == 0) {
      throw new ConfigException(config.file().toString(), "listen.port", "0",
        "nginx needs a fixed port; 0 (any free port) exists only for tests");
    }
    for (Route route : files.plan().table().routes()) {
      backendTls(config, route);
    }
    return new NginxExport(config, files, version).render();
  }

  /**
   * Whether the route's servers speak TLS, or a problem when nginx cannot say what the sidecar does: an upstream has
   * one scheme and a location one {@code proxy_ssl_name}, while the sidecar decides both per server.
   */
  private static boolean backendTls(SidecarConfig config, Route route) throws ConfigException {
    List<Target> targets = route.targets();
    long tls = targets.stream().filter(Target::tls).count();
    if (tls == 0) {
      return false;
    }
    String urls = String.join(", ", targets.stream().map(Target::url).toList());
    if (tls < targets.size()) {
      throw new ConfigException(config.file().toString(), "route " + route.path(), urls,
        "mixes TLS and plain servers of type " + route.serverType() + "; the sidecar can, but an nginx upstream has one "
          + "scheme: set tls on all of them or on none (routes.servers.<id>.tls)");
    }
    List<String> names = targets.stream().map(Target::serverName).distinct().toList();
    if (names.size() > 1) {
      throw new ConfigException(config.file().toString(), "route " + route.path(),
        String.join(", ", names), "the servers' TLS names differ; nginx sends one proxy_ssl_name per location: set one "
          + "tlsServerName that all their certificates carry (routes.types." + route.serverType() + ".tlsServerName)");
    }
    return true;
  }

  private String render() {
    line("# pomelo-sidecar " + version + " export-nginx, from " + config.file() + " and " + files.servers().path()
      + " (environment " + files.servers().environment() + ").");
    line("# The same routes as the sidecar, for nginx's http {} block (e.g. /etc/nginx/conf.d/pomelo.conf).");
    line("# nginx does not follow servers.json as the sidecar does: export again when it changes.");
    line("");
    line("# Connection: upgrade on WebSocket handshakes, close on plain requests. Drop this block if another file");
    line("# already defines $connection_upgrade.");
    line("map $http_upgrade $connection_upgrade {");
    line("  default upgrade;");
    line("  ''      close;");
    line("}");
    planUpstreams();
    for (Map.Entry<List<Target>, String> upstream : upstreams.entrySet()) {
      line("");
      line("# Shared by the routes of type " + upstream.getKey().get(0).serverType()
        + "; like the sidecar, nginx takes turns between the servers."
        + (upstream.getKey().get(0).tls() ? " They speak TLS (proxy_pass https://)." : ""));
      line("upstream " + upstream.getValue() + " {");
      for (Target target : upstream.getKey()) {
        line("  server " + target.address() + ";  # " + target.serverId());
      }
      line("}");
    }
    socketIoUpstreams();
    List<LoadedCertificate> certificates = files.certificates();
    for (int i = 0; i < certificates.size(); i++) {
      line("");
      server(certificates.get(i), i, certificates.size() > 1);
    }
    return out.toString();
  }

  /** One upstream per server list that more than one server shares: the type routes and the aliases of types. */
  private void planUpstreams() {
    List<String> taken = new ArrayList<>();
    for (Route route : files.plan().table().routes()) {
      if (route.targets().size() > 1 && !upstreams.containsKey(route.targets())) {
        String name = "pomelo_" + route.serverType().replaceAll("[^A-Za-z0-9_]", "_");
        String unique = name;
        for (int n = 2; taken.contains(unique); n++) {
          unique = name + "_" + n;
        }
        taken.add(unique);
        upstreams.put(route.targets(), unique);
      }
    }
  }

  /**
   * clients.*: nginx's realip module takes the client's address from the PROXY header or X-Forwarded-For of the
   * same trusted networks, and $remote_addr below is then the client's.
   */
  private void realIp() {
    if (config.clients().proxyProtocol()) {
      line("  # clients.proxyProtocol.trustedSources: only these balancers may say who the client is.");
      config.clients().proxyTrustedSources().forEach(n -> line("  set_real_ip_from " + n + ";"));
      line("  real_ip_header proxy_protocol;");
      // proxy_protocol_timeout is a stream-module directive: in an http server nginx -t rejects it.
      line("  # clients.proxyProtocol.headerTimeout (" + nginxTime(config.clients().proxyHeaderTimeout())
        + "): nginx's http server has no timer of its own for the PROXY header;");
      line("  # client_header_timeout (60s unless set) bounds it, the TLS handshake and the request head together.");
    } else if (!config.clients().trustedForwarders().isEmpty()) {
      line("  # clients.trustedForwarders: the rightmost X-Forwarded-For entry outside these networks is the client.");
      config.clients().trustedForwarders().forEach(n -> line("  set_real_ip_from " + n + ";"));
      line("  real_ip_header X-Forwarded-For;");
      line("  real_ip_recursive on;");
    }
    if (config.tls().sessionTicketKeys() != null) {
      line("  # tls.sessionTicketKeys: nginx reads one key per file (the first given seals), and seals its tickets");
      line("  # with the whole 80-byte key where the sidecar's BoringSSL takes 48 bytes of it: a client resumes among");
      line("  # nginx hosts sharing these files, not between nginx and a sidecar. One file per key:");
      line("  #   split -b 80 -d " + config.tls().sessionTicketKeys() + " ticket.key.");
      line("  ssl_session_ticket_key " + config.tls().sessionTicketKeys() + ";");
    }
  }

  private void server(LoadedCertificate certificate, int index, boolean several) {
    if (several) {
      line("# Certificate " + (index + 1) + " of " + files.certificates().size() + ": the sidecar picks it by the "
        + "client's SNI name, as nginx picks the server by name." + (index == 0 ? " The first is the fallback." : ""));
    }
    line("server {");
    boolean proxyProtocol = config.clients().proxyProtocol();
    for (String listen : listens(config.listen())) {
      line("  listen " + listen + " ssl" + (proxyProtocol ? " proxy_protocol" : "")
        + (several && index == 0 ? " default_server" : "") + ";");
    }
    realIp();
    List<String> names = dnsNames(certificate);
    if (!names.isEmpty()) {
      line("  server_name " + String.join(" ", names) + ";");
    }
    line("");
    certificate(certificate.source(), "tls.certificates[" + index + "]");
    line("  ssl_protocols " + String.join(" ", new TreeSet<>(ServerTls.PROTOCOLS)) + ";");
    // TLS 1.2's suites only: nginx leaves TLS 1.3's to OpenSSL, whose three are the sidecar's three.
    line("  ssl_ciphers " + String.join(":", ServerTls.CIPHER_SUITES.stream().filter(s -> s.startsWith("TLS_ECDHE_"))
      .map(NginxExport::openSslName).toList()) + ";");
    line("");
    line("  # Inherited by every location below, as none sets a proxy_set_header of its own.");
    line("  proxy_http_version 1.1;");
    line("  proxy_set_header Upgrade $http_upgrade;");
    line("  proxy_set_header Connection $connection_upgrade;");
    line("  proxy_set_header Host $http_host;");
    line("  # Set, not appended to ($proxy_add_x_forwarded_for): like the sidecar, the edge replaces what the client");
    line("  # sent, so a Pomelo app that trusts this proxy can trust these.");
    line("  proxy_set_header X-Real-IP $remote_addr;");
    line("  proxy_set_header X-Forwarded-For $remote_addr;");
    line("  proxy_set_header X-Forwarded-Proto $scheme;");
    line("  proxy_set_header X-Forwarded-Host $http_host;");
    line("  proxy_connect_timeout " + nginxTime(config.proxy().connectTimeout()) + ";  # proxy.connectTimeout");
    line("  # nginx's 60s default would drop a game socket that is quiet for a minute (a player in a menu, heartbeats");
    line("  # off); the sidecar never closes an idle tunnel. Waiting for the upgrade answer counts here too, so");
    line("  # proxy.upgradeTimeout has no nginx equivalent.");
    line("  proxy_read_timeout " + TUNNEL_TIMEOUT + ";");
    line("  proxy_send_timeout " + TUNNEL_TIMEOUT + ";");
    for (Route route : files.plan().table().routes()) {
      line("");
      line("  # " + route.kind().label() + " route, " + describe(route));
      line("  location " + word(route.path()) + " {");
      line("    proxy_pass " + passTo(route) + ";");
      proxySsl(route);
      socketIoLocation(route);
      line("  }");
    }
    line("");
    line("  # The sidecar also routes each path without its final slash (clients that build 'wss://' + host + port);");
    line("  # nginx would answer those with a 301 redirect, which WebSocket clients do not follow.");
    for (Route route : files.plan().table().routes()) {
      String bare = route.path().substring(0, route.path().length() - 1);
      if (route.targets().get(0).tls()) {
        // The bare path is an exact location beside the route's, so it needs the TLS settings again.
        line("  location = " + word(bare) + " {");
        line("    proxy_pass " + passTo(route) + ";");
        proxySsl(route);
        line("  }");
      } else {
        line("  location = " + word(bare) + " { proxy_pass " + passTo(route) + "; }");
      }
    }
    line("");
    line("  # Every other path: the sidecar answers 404 too.");
    line("  location / {");
    line("    return 404;");
    line("  }");
    line("}");
  }

  /**
   * The upstreams of the socket.io locations: the same servers with {@code ip_hash}, as an engine.io session lives in
   * the one server process that made it. Separate, so that the WebSocket routes keep nginx's round-robin.
   */
  private void socketIoUpstreams() {
    line("");
    line("# socket.io (Pomelo's default connector, the sioconnector) answers under <route>socket.io/: each route below");
    line("# has a location for it. engine.io holds a long-poll until it has something to send, at most one ping");
    line("# interval (25s by default), and pings every ping interval on an upgraded WebSocket, so proxy.responseTimeout");
    line("# as proxy_read_timeout never cuts a live session, while a server that stops answering fails in a minute,");
    line("# not an hour. proxy_buffering stays on: engine.io answers each poll with one whole, small response, which");
    line("# nginx passes on as soon as it has it; buffering delays only streamed answers, which engine.io never sends.");
    if (upstreams.isEmpty()) {
      return;
    }
    line("# A session's polls must all reach the server that made it. The sidecar pins each session by its sid, learnt");
    line("# from the server's io cookie; nginx OSS cannot, so these upstreams pin by the client's address (ip_hash, as");
    line("# socket.io's docs advise). ip_hash hashes the first three bytes of an IPv4 address: every client behind one");
    line("# NAT, or in one /24, reaches the same server, and a client whose address changes loses its session.");
    for (Map.Entry<List<Target>, String> upstream : upstreams.entrySet()) {
      String name = upstream.getValue() + "_ip_hash";
      while (upstreams.containsValue(name) || socketIoUpstreams.containsValue(name)) {
        name = name + "_";
      }
      socketIoUpstreams.put(upstream.getKey(), name);
      line("upstream " + name + " {");
      line("  ip_hash;");
      for (Target target : upstream.getKey()) {
        line("  server " + target.address() + ";  # " + target.serverId());
      }
      line("}");
    }
  }

  /** socket.io's default path under the route, nested so that it inherits whatever the route's location sets. */
  private void socketIoLocation(Route route) {
    String pass = passTo(route);
    String shared = upstreams.get(route.targets());
    if (shared != null) {
      pass = pass.replace("://" + shared, "://" + socketIoUpstreams.get(route.targets()));
    }
    line("");
    line("    # socket.io's polls and upgrades (see the top of this file)");
    line("    location " + word(route.path() + "socket.io/") + " {");
    // The route's mapping: a stripped prefix makes /route/socket.io/x reach the server as /socket.io/x.
    line("      proxy_pass " + (route.stripPrefix() ? pass + "socket.io/" : pass) + ";");
    line("      proxy_read_timeout " + nginxTime(config.proxy().responseTimeout()) + ";  # proxy.responseTimeout");
    line("    }");
  }

  /** How nginx speaks TLS to the route's servers, as the sidecar does: same protocols, same name, same trust. */
  private void proxySsl(Route route) {
    Target first = route.targets().get(0);
    if (!first.tls()) {
      return;
    }
    BackendTlsConfig trust = config.proxy().backendTls();
    line("    # The servers are marked tls: SNI and the name checked are tlsServerName, else the host dialled; nginx");
    line("    # sends no SNI for an IP address and checks its name among the certificate's DNS names only.");
    line("    proxy_ssl_server_name on;");
    line("    proxy_ssl_name " + word(first.serverName()) + ";");
    line("    proxy_ssl_protocols " + String.join(" ", new TreeSet<>(ServerTls.PROTOCOLS)) + ";");
    if (trust.insecure()) {
      line("    # !!! proxy.backendTls.insecure is on: neither the chain nor the name of the servers' certificates is");
      line("    # !!! checked, so anyone on the path to them can read and change the traffic. Loopback only.");
      line("    proxy_ssl_verify off;");
      return;
    }
    line("    proxy_ssl_verify on;");
    // A server's leaf, an intermediate and the root: the depth of a usual private CA or a public one.
    line("    proxy_ssl_verify_depth 3;");
    if (trust.caFile() != null) {
      line("    proxy_ssl_trusted_certificate " + word(trust.caFile().toString()) + ";  # proxy.backendTls.caFile");
    } else {
      line("    # No proxy.backendTls.caFile: the sidecar trusts the JDK's store; this is the system's (Debian's path).");
      line("    proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;");
    }
  }

  private void certificate(CertificateConfig source, String place) {
    if (source.isPem()) {
      line("  ssl_certificate     " + word(source.certFile().toString()) + ";");
      line("  ssl_certificate_key " + word(source.keyFile().toString()) + ";");
      return;
    }
    String keystore = source.keystore().toString();
    String base = keystore.replaceFirst("\\.(p12|pfx|pkcs12)$", "");
    String cert = base + ".crt.pem";
    String key = base + ".key.pem";
    line("  # " + place + " is a PKCS#12 keystore; nginx needs PEM. Convert it once (and keep the key file 0600):");
    line("  #   openssl pkcs12 -in " + keystore + " -nokeys -out " + cert);
    line("  #   openssl pkcs12 -in " + keystore + " -nocerts -nodes -out " + key);
    line("  ssl_certificate     " + word(cert) + ";");
    line("  ssl_certificate_key " + word(key) + ";");
  }

  /** {@code http://host:port} ({@code https} for TLS servers) keeps the path, as the sidecar does; a trailing {@code /} replaces the prefix by it. */
  private String passTo(Route route) {
    String upstream = upstreams.get(route.targets());
    String scheme = route.targets().get(0).tls() ? "https://" : "http://";
    String origin = scheme + (upstream != null ? upstream : route.targets().get(0).address());
    return route.stripPrefix() ? origin + "/" : origin;
  }

  private String describe(Route route) {
    List<String> ids = route.targets().stream().map(Target::serverId).toList();
    return "type " + route.serverType() + ": " + String.join(", ", ids)
      + (route.stripPrefix() ? "; the server sees /x for " + route.path() + "x" : "");
  }

  /** The sidecar's {@code ::} takes IPv4 too; nginx needs both spelled out. */
  static List<String> listens(ListenerConfig listen) {
    String host = listen.host();
    int port = listen.port();
    return switch (host) {
      case "", "0.0.0.0", "*" -> List.of(String.valueOf(port));
      case "::", "[::]" -> List.of(String.valueOf(port), "[::]:" + port);
      default -> List.of((host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port);
    };
  }

  /** nginx takes {@code 250ms} or {@code 3s}. */
  static String nginxTime(Duration duration) {
    long millis = duration.toMillis();
    return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
  }

  private static List<String> dnsNames(LoadedCertificate certificate) {
    List<String> names = new ArrayList<>();
    try {
      Collection<List<?>> alternatives = certificate.leaf().getSubjectAlternativeNames();
      if (alternatives != null) {
        for (List<?> name : alternatives) {
          if (Integer.valueOf(2).equals(name.get(0))) {
            names.add(String.valueOf(name.get(1)));
          }
        }
      }
    } catch (CertificateParsingException e) {
      // no names: the server block is found by address alone
    }
    return names;
  }

  /** A path as one nginx word: bare when it can be, else double-quoted. */
  static String word(String text) {
    if (BARE.matcher(text).matches()) {
      return text;
    }
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private void line(String text) {
    out.append(text).append('\n');
  }

  /** {@code TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256} as OpenSSL (and so nginx) spells it: ECDHE-RSA-AES128-GCM-SHA256. */
  static String openSslName(String iana) {
    return iana.substring("TLS_".length()).replace("_WITH_", "_").replace("AES_128", "AES128")
      .replace("AES_256", "AES256").replace("CHACHA20_POLY1305_SHA256", "CHACHA20_POLY1305").replace('_', '-');
  }
}

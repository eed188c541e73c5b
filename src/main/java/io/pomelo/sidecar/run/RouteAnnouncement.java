package io.pomelo.sidecar.run;

import io.pomelo.sidecar.config.KeyExchangeGroup;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.route.Route;
import io.pomelo.sidecar.route.RouteTable;
import io.pomelo.sidecar.route.Target;
import io.pomelo.sidecar.tls.LoadedCertificate;
import io.pomelo.sidecar.tls.ServerTls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.cert.CertificateParsingException;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The lines an operator reads at start: where the sidecar listens, and one line per route as a client would write
 * its URL ({@code wss://game.example.com/gate/ -> 127.0.0.1:3014 (gate-server-1)}).
 */
final class RouteAnnouncement {

  /** Logged under the sidecar's name: it is the sidecar speaking, and scripts read these lines. */
  private static final Logger LOG = LoggerFactory.getLogger("io.pomelo.sidecar.Sidecar");

  private RouteAnnouncement() {
  }

  static void log(SidecarConfig config, RouteTable table, List<LoadedCertificate> certificates, int publicPort,
                  int adminPort, boolean epoll) {
    String base = "wss://" + publicName(config, certificates) + (publicPort == 443 ? "" : ":" + publicPort);
    LOG.info("listening on {}:{} (TLS: {}, {}), admin API on http://{}:{}", config.listen().host(), publicPort,
      ServerTls.engineName(), epoll ? "epoll" : "NIO", config.admin().listener().host(), adminPort);
    for (Route route : table.routes()) {
      LOG.info("{}{} -> {}", base, route.path(), describe(route.targets()));
    }
    if (table.routes().isEmpty()) {
      LOG.warn("no routes: {} has no frontend server with a clientPort", config.pomelo().serversFile());
    }
    if (!ServerTls.engineName().equals("BoringSSL") && !config.tls().groups().equals(KeyExchangeGroup.DEFAULTS)) {
      LOG.warn("tls.groups is not applied: the JDK's TLS engine (BoringSSL did not load here) keeps its own key "
        + "exchange groups");
    }
    if (config.proxy().backendTls().insecure()) {
      // Said at every start: proxy.* needs a restart, so no reload can switch it on unseen.
      LOG.warn("proxy.backendTls.insecure is true: backends reached over TLS are NOT verified (neither chain nor name);"
        + " use it only for self-signed certificates on loopback");
    }
  }

  /** The name clients use: the listen host when it is specific, else the first certificate's first DNS name. */
  static String publicName(SidecarConfig config, List<LoadedCertificate> certificates) {
    String host = config.listen().host();
    if (!host.equals("0.0.0.0") && !host.equals("::") && !host.isEmpty()) {
      return host.equals("127.0.0.1") || host.equals("::1") ? "localhost" : host;
    }
    try {
      Collection<List<?>> names = certificates.get(0).leaf().getSubjectAlternativeNames();
      if (names != null) {
        for (List<?> name : names) {
          if (Integer.valueOf(2).equals(name.get(0))) {
            return String.valueOf(name.get(1));
          }
        }
      }
    } catch (CertificateParsingException e) {
      // fall through to the plain name
    }
    return "localhost";
  }

  static String describe(List<Target> targets) {
    return targets.stream().map(t -> t.address() + " (" + t.serverId() + ")").collect(Collectors.joining(", "));
  }
}

package io.pomelo.sidecar.run;

import io.pomelo.sidecar.acme.HttpChallenges;
import io.pomelo.sidecar.acme.ManagedCertificate;
import io.pomelo.sidecar.acme.ManagedStatus;
import io.pomelo.sidecar.acme.PlainListener;
import io.pomelo.sidecar.config.AcmeConfig;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.tls.AlpnChallenges;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * {@code tls.acme} at work: the plain listener (HTTP-01 answers, redirects) when it has a port, and the ordered
 * certificate's renewals. Begun once the public port is bound, since TLS-ALPN-01 is answered there.
 */
final class CertificateOrdering {

  private static final Logger LOG = LoggerFactory.getLogger(CertificateOrdering.class);

  private final ManagedCertificate managed;
  private final PlainListener plain;
  private final String plainDeployment;

  private CertificateOrdering(ManagedCertificate managed, PlainListener plain, String plainDeployment) {
    this.managed = managed;
    this.plain = plain;
    this.plainDeployment = plainDeployment;
  }

  /** Nothing to do without {@code tls.acme}: completes with null. */
  static Future<CertificateOrdering> begin(Vertx vertx, SidecarConfig config, AlpnChallenges alpn, HttpChallenges http,
                                           int httpsPort, Runnable onIssued) {
    AcmeConfig acme = config.tls().acme();
    if (acme == null) {
      return Future.succeededFuture();
    }
    ManagedCertificate managed = new ManagedCertificate(vertx, config.stateDir(), acme, alpn, http, onIssued);
    if (acme.httpPort() < 0) {
      managed.start();
      return Future.succeededFuture(new CertificateOrdering(managed, null, null));
    }
    PlainListener plain = new PlainListener(acme.httpHost(), acme.httpPort(), http, acme.domains(), httpsPort,
      config.limits());
    return vertx.deployVerticle(plain).map(id -> {
      LOG.info("plain HTTP on {}:{}: ACME HTTP-01 answers, everything else redirected to https", acme.httpHost(),
        plain.actualPort());
      managed.start();
      return new CertificateOrdering(managed, plain, id);
    });
  }

  List<ManagedStatus> status() {
    return List.of(managed.status());
  }

  /** The plain listener's bound port, or 0 when there is none. */
  int plainPort() {
    return plain == null ? 0 : plain.actualPort();
  }

  void stop() {
    managed.stop();
  }

  Future<?> undeploy(Vertx vertx) {
    return plainDeployment == null ? Future.succeededFuture() : vertx.undeploy(plainDeployment);
  }
}

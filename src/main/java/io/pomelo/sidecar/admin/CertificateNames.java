package io.pomelo.sidecar.admin;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** The names a certificate is for, as the status and the metrics show them. */
final class CertificateNames {

  private CertificateNames() {
  }

  /** Every subject alternative name, DNS names and addresses alike; [] when it has none. */
  static List<String> all(X509Certificate leaf) {
    List<String> names = new ArrayList<>();
    try {
      Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          names.add(String.valueOf(san.get(1)));
        }
      }
    } catch (CertificateParsingException e) {
      // no names to show
    }
    return names;
  }

  /** The first alternative name, else the subject: one bounded label value per certificate. */
  static String primary(X509Certificate leaf) {
    List<String> names = all(leaf);
    return names.isEmpty() ? leaf.getSubjectX500Principal().getName() : names.get(0);
  }
}

package io.pomelo.sidecar.run;

import io.pomelo.sidecar.tls.LoadedCertificate;

import java.security.cert.CertificateEncodingException;
import java.util.Arrays;
import java.util.List;

/** Whether a reload's certificates differ from those in use: only a difference is put in use. */
final class CertificateRotation {

  private CertificateRotation() {
  }

  /** Same chains and keys, byte for byte, in the same order: a touched but unchanged file rotates nothing. */
  static boolean same(List<LoadedCertificate> a, List<LoadedCertificate> b) {
    if (a.size() != b.size()) {
      return false;
    }
    try {
      for (int i = 0; i < a.size(); i++) {
        if (!a.get(i).chain().equals(b.get(i).chain())
          || !Arrays.equals(a.get(i).key().getEncoded(), b.get(i).key().getEncoded())
          || !Arrays.equals(a.get(i).leaf().getEncoded(), b.get(i).leaf().getEncoded())) {
          return false;
        }
      }
    } catch (CertificateEncodingException e) {
      return false;
    }
    return true;
  }
}

package io.pomelo.sidecar.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/** STUB until the alpn branch merges. */
public final class AlpnChallenges {
  public static final String PROTOCOL = "acme-tls/1";

  public void put(String name, X509Certificate certificate, PrivateKey key) {
  }

  public void remove(String name) {
  }

  public boolean isEmpty() {
    return true;
  }
}

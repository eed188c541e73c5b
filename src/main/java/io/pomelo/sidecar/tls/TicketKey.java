package io.pomelo.sidecar.tls;

import io.netty.handler.ssl.OpenSslSessionTicketKey;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * One session ticket key as BoringSSL uses it: a 16-byte name that tickets carry, a 16-byte HMAC-SHA256 secret and a
 * 16-byte AES-128 secret. {@link #toString()} shows only the name: the secrets decrypt every session made with them.
 */
public final class TicketKey {

  private final byte[] name;
  private final byte[] hmac;
  private final byte[] aes;

  /** A key nobody else has: what a process seals with once it stops sharing a file's keys. */
  static TicketKey random() {
    SecureRandom random = new SecureRandom();
    byte[] name = new byte[16];
    byte[] hmac = new byte[16];
    byte[] aes = new byte[16];
    random.nextBytes(name);
    random.nextBytes(hmac);
    random.nextBytes(aes);
    return new TicketKey(name, hmac, aes);
  }

  TicketKey(byte[] name, byte[] hmac, byte[] aes) {
    this.name = name.clone();
    this.hmac = hmac.clone();
    this.aes = aes.clone();
  }

  /** The key name in hex: what a ticket says it was sealed with, not a secret. */
  public String name() {
    return HexFormat.of().formatHex(name);
  }

  OpenSslSessionTicketKey forNetty() {
    return new OpenSslSessionTicketKey(name, hmac, aes);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof TicketKey key && Arrays.equals(name, key.name) && Arrays.equals(hmac, key.hmac)
      && Arrays.equals(aes, key.aes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(name);
  }

  @Override
  public String toString() {
    return "TicketKey[name=" + name() + ", secrets=(hidden)]";
  }
}

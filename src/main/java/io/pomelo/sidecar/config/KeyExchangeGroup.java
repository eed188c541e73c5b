package io.pomelo.sidecar.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A TLS key exchange group the public listener may agree on ({@code tls.groups}), by the name BoringSSL takes. The
 * names nginx (OpenSSL) and Caddy use are accepted too, in any case, so a list copied from either works.
 */
public enum KeyExchangeGroup {
  /** The post-quantum hybrid of X25519 and ML-KEM-768 (what Chrome, Firefox and Safari offer first since 2024–25). */
  X25519MLKEM768("X25519MLKEM768"),
  X25519("X25519"),
  P256("P-256", "secp256r1", "prime256v1"),
  P384("P-384", "secp384r1"),
  P521("P-521", "secp521r1");

  /**
   * The default, Netty 4.2's own with BoringSSL: the hybrid first, so a client that offers it is safe from a recording
   * decrypted by a future quantum computer, and the classic groups for every other client.
   */
  public static final List<KeyExchangeGroup> DEFAULTS = List.of(X25519MLKEM768, X25519, P256, P384, P521);

  private final String boringSslName;
  private final List<String> aliases;

  KeyExchangeGroup(String boringSslName, String... aliases) {
    this.boringSslName = boringSslName;
    this.aliases = List.of(aliases);
  }

  /** The name BoringSSL's group list takes. */
  public String boringSslName() {
    return boringSslName;
  }

  /** The group of {@code name} (BoringSSL's, OpenSSL's or Caddy's, any case), or null when there is none. */
  public static KeyExchangeGroup named(String name) {
    String wanted = name.trim().toLowerCase(Locale.ROOT);
    for (KeyExchangeGroup group : values()) {
      if (group.boringSslName.toLowerCase(Locale.ROOT).equals(wanted) || group.aliases.contains(wanted)) {
        return group;
      }
    }
    return null;
  }

  /** Every accepted name, for an error message. */
  static String names() {
    return String.join(", ", Arrays.stream(values()).map(KeyExchangeGroup::boringSslName).toList());
  }
}

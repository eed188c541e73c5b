package io.pomelo.sidecar.config;

/** Which address of a Pomelo server the sidecar dials. */
public enum DialAddress {
  /** {@code host}: where Pomelo itself says the server runs. The default. */
  HOST,
  /** {@code clientHost} when the server has one, else {@code host}: for servers whose client side is bound apart. */
  CLIENT_HOST;

  public static DialAddress parse(String text) {
    return switch (text) {
      case "host" -> HOST;
      case "clientHost" -> CLIENT_HOST;
      default -> throw new IllegalArgumentException("must be host or clientHost");
    };
  }
}

package io.pomelo.sidecar.master;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A user of the master's admin console, as {@code config/adminUser.json} lists it. The password never leaves this
 * record except in the register message: {@link #toString()} leaves it out, so a log line cannot carry it.
 *
 * @param username {@code username} in adminUser.json
 * @param password {@code password} in adminUser.json, as written (pomelo-admin compares plain text)
 * @param md5      send the password's md5 hex instead of the password, as Pomelo's own CLI does
 *                 ({@code md5: true}); the master hashes its copy and compares
 */
public record AdminCredentials(String username, String password, boolean md5) {

  public AdminCredentials {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
  }

  /** What goes in the register message's {@code password}: the md5 hex when {@link #md5()}, else the password. */
  String passwordToSend() {
    if (!md5) {
      return password;
    }
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(password.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has MD5", e);
    }
  }

  @Override
  public String toString() {
    return "AdminCredentials[username=" + username + ", password=(hidden), md5=" + md5 + "]";
  }
}

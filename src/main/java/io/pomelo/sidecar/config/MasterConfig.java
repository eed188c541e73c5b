package io.pomelo.sidecar.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Following the Pomelo master's admin console ({@code master:}). Every key but {@code follow} overrides what Pomelo's
 * own master.json and adminUser.json say; with none set, those files decide.
 *
 * @param follow       default {@code auto}: follow when master.json is found beside servers.json (or in
 *                     {@code config/<env>/}); {@code true}: follow, and a master that cannot be named is an error;
 *                     {@code false}: never
 * @param host         default master.json's {@code host}: where the admin console is
 * @param port         default master.json's {@code port}; 0 means that
 * @param username     default the first user of adminUser.json; empty means that
 * @param password     default that user's password; empty means that (or {@code passwordFile})
 * @param passwordFile default none: a file whose content (trimmed) is the password, e.g. a systemd credential
 * @param md5          default true: send the password's md5, as Pomelo's own CLI does; the master accepts either
 * @param interval     default 1s: time between two list requests (a {@code pomelo add} serves within two of them)
 * @param allowedHosts default none: hosts a server the master adds may be on beside those servers.json names; a
 *                     server elsewhere gets no route, so that a master cannot point public traffic anywhere
 */
public record MasterConfig(Follow follow, String host, int port, String username, String password, Path passwordFile,
                           boolean md5, Duration interval, List<String> allowedHosts) {

  /** Whether to follow the master. */
  public enum Follow {
    AUTO, TRUE, FALSE;

    static Follow parse(String text) {
      try {
        return valueOf(text.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("must be auto, true or false");
      }
    }
  }

  /** Each list asks the master about every server: faster than this would only load it. */
  public static final Duration LEAST_INTERVAL = Duration.ofMillis(100);

  public MasterConfig {
    host = host == null ? "" : host;
    username = username == null ? "" : username;
    password = password == null ? "" : password;
    allowedHosts = allowedHosts == null ? List.of() : List.copyOf(allowedHosts);
  }

  /** No hosts beyond servers.json's. */
  public MasterConfig(Follow follow, String host, int port, String username, String password, Path passwordFile,
                      boolean md5, Duration interval) {
    this(follow, host, port, username, password, passwordFile, md5, interval, List.of());
  }

  public static MasterConfig defaults() {
    return new MasterConfig(Follow.AUTO, "", 0, "", "", null, true, Duration.ofSeconds(1), List.of());
  }

  public MasterConfig withFollow(Follow value) {
    return new MasterConfig(value, host, port, username, password, passwordFile, md5, interval, allowedHosts);
  }

  /** Never shows the password: configurations end up in logs and exception messages. */
  @Override
  public String toString() {
    return "MasterConfig[follow=" + follow + ", host=" + host + ", port=" + port + ", username=" + username
      + ", password=" + (password.isEmpty() ? "(none)" : "(hidden)") + ", passwordFile=" + passwordFile
      + ", md5=" + md5 + ", interval=" + interval + ", allowedHosts=" + allowedHosts + "]";
  }
}

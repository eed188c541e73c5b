package io.pomelo.sidecar.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as operators write them in nginx and Caddy files: {@code 250ms}, {@code 3s}, {@code 5m}, {@code 1h}. */
final class Durations {

  private static final Pattern FORM = Pattern.compile("(\\d+)(ms|s|m|h)");

  private Durations() {
  }

  /** @throws IllegalArgumentException with the rule, for the caller to place */
  static Duration parse(String text) {
    Matcher m = FORM.matcher(text.trim());
    if (!m.matches()) {
      if (text.trim().equals("0")) {
        return Duration.ZERO;
      }
      throw new IllegalArgumentException("must be a duration such as 250ms, 3s, 5m or 1h");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }
}

package io.pomelo.sidecar.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes as operators write them: {@code 512KiB}, {@code 4MiB}, {@code 1GiB}, or a number of bytes. */
final class Sizes {

  private static final Pattern FORM = Pattern.compile("(\\d{1,19})\\s*(B|KiB|MiB|GiB)?");
  private static final String[] UNITS = {"KiB", "MiB", "GiB"};

  private Sizes() {
  }

  /** @throws IllegalArgumentException with the rule, for the caller to place */
  static long parse(String text) {
    Matcher m = FORM.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("must be a size such as 512KiB, 4MiB or 1GiB, or a number of bytes");
    }
    int shift = switch (m.group(2) == null ? "B" : m.group(2)) {
      case "KiB" -> 10;
      case "MiB" -> 20;
      case "GiB" -> 30;
      default -> 0;
    };
    long n;
    try {
      n = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("is too large", e);
    }
    if (n > Long.MAX_VALUE >> shift) {
      throw new IllegalArgumentException("is too large");
    }
    return n << shift;
  }

  /** The size in the largest unit that holds it whole ({@code 4 MiB}, {@code 1536 bytes}): the way to state a limit. */
  static String exact(long bytes) {
    for (int i = UNITS.length - 1; i >= 0; i--) {
      long unit = 1L << (10 * (i + 1));
      if (bytes >= unit && bytes % unit == 0) {
        return bytes / unit + " " + UNITS[i];
      }
    }
    return bytes == 1 ? "1 byte" : bytes + " bytes";
  }

  /** The size to a tenth of its unit ({@code 12.0 MiB}), or in bytes below 1 KiB: the way to state a measurement. */
  static String rounded(long bytes) {
    if (bytes < 1024) {
      return exact(bytes);
    }
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < UNITS.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
  }
}

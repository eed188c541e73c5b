package io.pomelo.sidecar.config;

import java.util.Objects;

/**
 * One thing wrong with one input file: where it is and which rule it breaks.
 *
 * @param file  the file as the operator named it (never null)
 * @param place JSON path or YAML key ({@code production.connector[1].clientPort}), or "line 3, column 7" for a
 *              syntax error; empty when the problem is the file as a whole
 * @param value the offending value as text, or null when there is none (a missing key)
 * @param rule  what the value should have been, in words an operator can act on
 */
public record ConfigProblem(String file, String place, String value, String rule) {

  public ConfigProblem {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(place, "place");
    Objects.requireNonNull(rule, "rule");
  }

  /** Reads like a compiler message: {@code conf/servers.json: production.gate[0].clientPort = 70000: must be ...}. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(file);
    if (!place.isEmpty()) {
      b.append(": ").append(place);
      if (value != null) {
        b.append(" = ").append(value);
      }
    } else if (value != null) {
      b.append(": ").append(value);
    }
    return b.append(": ").append(rule).toString();
  }
}

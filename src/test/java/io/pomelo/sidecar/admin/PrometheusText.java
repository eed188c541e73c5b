package io.pomelo.sidecar.admin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small, strict reader of the Prometheus text format (0.0.4): every line must be a comment, blank, or a sample
 * {@code name{label="value",...} number}; anything else fails the test that reads it.
 */
final class PrometheusText {

  record Sample(String name, Map<String, String> labels, double value) {
  }

  private static final Pattern SAMPLE = Pattern.compile(
    "([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)(?: \\d+)?");
  private static final Pattern LABEL = Pattern.compile(
    "([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

  private PrometheusText() {
  }

  static List<Sample> parse(String text) {
    List<Sample> samples = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      if (!m.matches()) {
        throw new AssertionError("not a Prometheus sample line: " + line);
      }
      Map<String, String> labels = new LinkedHashMap<>();
      if (m.group(2) != null && !m.group(2).isEmpty()) {
        Matcher l = LABEL.matcher(m.group(2));
        int end = 0;
        while (l.find() && l.start() == end) {
          labels.put(l.group(1), l.group(2).replace("\\\"", "\"").replace("\\\\", "\\"));
          end = l.end();
        }
        if (end != m.group(2).length()) {
          throw new AssertionError("bad labels in: " + line);
        }
      }
      samples.add(new Sample(m.group(1), labels, value(m.group(3))));
    }
    return samples;
  }

  private static double value(String text) {
    return switch (text) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(text);
    };
  }

  /** The value of the one sample with this name and these labels (others ignored), or null. */
  static Double value(List<Sample> samples, String name, Map<String, String> labels) {
    for (Sample s : samples) {
      if (s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet())) {
        return s.value();
      }
    }
    return null;
  }
}

package io.pomelo.sidecar.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BinaryOperator;

/**
 * Turns bench/run.sh's raw lines ("proxy=nginx scenario=throughput key=value ...") into the side-by-side Markdown
 * table of bench/RESULTS.md, with the sidecar's ratio to the best peer of the same run and the targets.
 * A run with {@code REPEAT} > 1 has several lines per proxy and scenario: a number is then reported as the median
 * with the range beside it, and compared by its median (a single run's tail latency on a shared two-core VM is
 * noise: the same proxy's p99 varies 3× between runs).
 *
 * <p>{@code java -cp TEST_CLASSPATH io.pomelo.sidecar.bench.BenchReport meta.txt results.txt}
 */
public final class BenchReport {

  private static final String SIDECAR = "sidecar";

  /** proxy -> scenario -> key -> values (startup has one per start). */
  private final Map<String, Map<String, Map<String, List<String>>>> data = new LinkedHashMap<>();

  private BenchReport() {
  }

  public static void main(String[] args) throws IOException {
    BenchReport report = new BenchReport();
    StringBuilder out = new StringBuilder();
    for (String line : Files.readAllLines(Path.of(args[0]))) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        out.append("- ").append(line, 0, eq).append(": ").append(line.substring(eq + 1)).append('\n');
      }
    }
    for (String line : Files.readAllLines(Path.of(args[1]))) {
      report.add(line);
    }
    out.append('\n').append(report.table());
    System.out.print(out);
  }

  private void add(String line) {
    Map<String, String> kv = new LinkedHashMap<>();
    for (String part : line.trim().split("\\s+")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        kv.put(part.substring(0, eq), part.substring(eq + 1));
      }
    }
    String proxy = kv.remove("proxy");
    String scenario = kv.remove("scenario");
    if (proxy == null || scenario == null) {
      return;
    }
    Map<String, List<String>> values = data.computeIfAbsent(proxy, p -> new LinkedHashMap<>())
      .computeIfAbsent(scenario, s -> new HashMap<>());
    kv.forEach((k, v) -> values.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
  }

  private String table() {
    List<String> proxies = new ArrayList<>(data.keySet());
    StringBuilder b = new StringBuilder("| metric | ");
    b.append(String.join(" | ", proxies)).append(" | sidecar ÷ reference | target | met? |\n|---|");
    b.append("---|".repeat(proxies.size())).append("---|---|---|\n");
    ratioRow(b, proxies, "msgs per proxy core-second (100 conns, 1 KiB, closed loop)", "throughput",
      "msgs_per_core_s", Math::max, "best peer", 1.25, true);
    plainRow(b, proxies, "  msgs/s (offered by one client core)", "throughput", "msgs_per_s");
    plainRow(b, proxies, "  proxy CPU share during it", "throughput", "proxy_cpu_s", "seconds", true);
    plainRow(b, proxies, "  share of that proxy CPU in the JIT compiler", "throughput", "proxy_jit_share");
    plainRow(b, proxies, "  share of that proxy CPU in the kernel", "throughput", "proxy_kernel_share");
    plainRow(b, proxies, "p50 ms at fixed rate", "latency", "p50_ms");
    ratioRow(b, proxies, "p99 ms at fixed rate", "latency", "p99_ms", Math::min, "best peer", 0.8, false);
    plainRow(b, proxies, "p99.9 ms at fixed rate", "latency", "p999_ms");
    plainRow(b, proxies, "  achieved msgs/s (asked " + first("latency", "rate") + ")", "latency",
      "achieved_per_s");
    plainRow(b, proxies, "  proxy CPU share at that rate", "latency", "proxy_cpu_share");
    ratioRow(b, proxies, "RSS KiB per idle TLS WebSocket (after warm-up churn)", "idle", "rss_per_conn_kib",
      (x, y) -> y, "haproxy", 0.8, false);
    plainRow(b, proxies, "  the same from a freshly started proxy (cold)", "idle", "rss_per_conn_cold_kib");
    plainRow(b, proxies, "  idle connections opened / still echoing", "idle", "opened", "echoed_after_hold",
      false);
    ratioRow(b, proxies, "handshakes per proxy core-second (TCP+TLS1.3+upgrade+echo+close)", "handshake",
      "per_core_s", (x, y) -> y, "nginx", 1.0, true);
    plainRow(b, proxies, "  handshakes/s", "handshake", "per_s");
    plainRow(b, proxies, "  share of that proxy CPU in the JIT compiler", "handshake", "proxy_jit_share");
    ratioRow(b, proxies, "cold: handshakes per proxy core-second, first 25 s after READY", "cold", "per_core_s",
      Math::max, "best peer", 1.0, true);
    plainRow(b, proxies, "  share of that proxy CPU in the JIT compiler", "cold", "proxy_jit_share");
    ratioRow(b, proxies, "storm: ms until all clients were served", "storm", "all_served_ms", (x, y) -> y, "nginx",
      1.0, false);
    plainRow(b, proxies, "  storm: failed", "storm", "failed");
    plainRow(b, proxies, "  storm: proxy CPU seconds", "storm", "proxy_cpu_s");
    reloadRows(b, proxies);
    startupRow(b, proxies);
    return b.toString();
  }

  /** A row where the sidecar is compared with a reference: the best peer, or a named one. */
  private void ratioRow(StringBuilder b, List<String> proxies, String label, String scenario, String key,
                        BinaryOperator<Double> pick, String reference, double target, boolean higherIsBetter) {
    b.append("| ").append(label).append(" | ");
    Double ref = null;
    String refName = null;
    for (String p : proxies) {
      Double v = number(p, scenario, key);
      b.append(v == null ? "–" : value(p, scenario, key)).append(" | ");
      if (p.equals(SIDECAR) || v == null) {
        continue;
      }
      if (reference.equals("best peer")) {
        Double chosen = ref == null ? v : pick.apply(ref, v);
        if (!chosen.equals(ref)) {
          ref = chosen;
          refName = p;
        }
      } else if (p.equals(reference)) {
        ref = v;
        refName = p;
      }
    }
    Double mine = number(SIDECAR, scenario, key);
    String op = higherIsBetter ? "≥ " : "≤ ";
    String targetText = op + fmt(target) + "× " + (reference.equals("best peer") ? "best peer" : reference);
    if (mine == null || ref == null || ref == 0) {
      b.append("– | ").append(targetText).append(" | – |\n");
      return;
    }
    double ratio = mine / ref;
    boolean met = higherIsBetter ? ratio >= target : ratio <= target;
    b.append(fmt(ratio)).append("× ").append(refName).append(" | ").append(targetText).append(" | ")
      .append(met ? "met" : "gap: " + gap(ratio, target, higherIsBetter)).append(" |\n");
  }

  private static String gap(double ratio, double target, boolean higherIsBetter) {
    double factor = higherIsBetter ? target / ratio : ratio / target;
    return String.format(Locale.ROOT, "%.2f× off", factor);
  }

  private void plainRow(StringBuilder b, List<String> proxies, String label, String scenario, String key) {
    plainRow(b, proxies, label, scenario, key, null, false);
  }

  /** A row of values; with {@code second} as "a / b", or as a share of it with {@code divide}. */
  private void plainRow(StringBuilder b, List<String> proxies, String label, String scenario, String key,
                        String second, boolean divide) {
    b.append("| ").append(label).append(" | ");
    for (String p : proxies) {
      String v = value(p, scenario, key);
      if (v != null && second != null) {
        String w = value(p, scenario, second);
        if (divide) {
          Double x = number(p, scenario, key);
          Double y = number(p, scenario, second);
          v = x == null || y == null || y == 0 ? v : fmt(x / y);
        } else {
          v = v + " / " + w;
        }
      }
      b.append(v == null ? "–" : v).append(" | ");
    }
    b.append(" | | |\n");
  }

  /** Every repeated run counts here: a drop in any of them is a drop. */
  private void reloadRows(StringBuilder b, List<String> proxies) {
    b.append("| reload ×").append(first("reload", "reloads_done")).append(" under load: dropped conns / lost msgs")
      .append(" | ");
    for (String p : proxies) {
      Long d = total(p, "dropped");
      b.append(d == null ? "–" : d + " / " + total(p, "lost")).append(" | ");
    }
    Long d = total(SIDECAR, "dropped");
    boolean none = d != null && d == 0 && total(SIDECAR, "lost") == 0;
    b.append(" | 0 / 0 | ").append(d == null ? "–" : none ? "met" : "gap").append(" |\n");
    b.append("| reload: new route served after | ");
    for (String p : proxies) {
      List<String> v = newRouteTimes(p);
      b.append(v == null ? "–" : String.join(", ", v)).append(" | ");
    }
    List<String> mine = newRouteTimes(SIDECAR);
    boolean fast = mine != null;
    if (mine != null) {
      for (String t : mine) {
        fast &= t.endsWith("ms") && Long.parseLong(t.substring(0, t.length() - 2)) <= 1000;
      }
    }
    b.append(" | ≤ 1000 ms | ").append(mine == null ? "–" : fast ? "met" : "gap").append(" |\n");
    b.append("| reload: echoes in the worst second ÷ the mean | ");
    for (String p : proxies) {
      String v = value(p, "reload", "worst_second_share");
      b.append(v == null ? "–" : v).append(" | ");
    }
    Double worst = number(SIDECAR, "reload", "worst_second_share");
    b.append(" | ≥ 0.5 | ").append(worst == null ? "–" : worst >= 0.5 ? "met" : "gap").append(" |\n");
    ratioRow(b, proxies, "reload: longest round trip, ms", "reload", "max_rtt_ms", Math::min, "best peer", 2.0,
      false);
  }

  /** Every reload's time to a serving new route ("412ms"), over all runs; null when none ran. */
  private List<String> newRouteTimes(String proxy) {
    List<String> v = values(proxy, "reload", "new_route");
    return v == null ? null : List.of(String.join(",", v).split(","));
  }

  private Long total(String proxy, String key) {
    List<String> v = values(proxy, "reload", key);
    return v == null ? null : v.stream().mapToLong(Long::parseLong).sum();
  }

  private void startupRow(StringBuilder b, List<String> proxies) {
    b.append("| start-to-ready ms, median (of n starts) | ");
    Double mine = null;
    for (String p : proxies) {
      List<String> v = values(p, "startup", "ready_ms");
      if (v == null) {
        b.append("– | ");
        continue;
      }
      List<Long> ms = new ArrayList<>();
      v.forEach(s -> ms.add(Long.parseLong(s)));
      Collections.sort(ms);
      long median = ms.get(ms.size() / 2);
      if (p.equals(SIDECAR)) {
        mine = (double) median;
      }
      b.append(median).append(" (").append(ms.size()).append(") | ");
    }
    b.append(" | < 1500 ms | ").append(mine == null ? "–" : mine < 1500 ? "met" : "gap: " + fmt(mine / 1500) + "×")
      .append(" |\n");
  }

  private String first(String scenario, String key) {
    Set<String> found = new LinkedHashSet<>();
    for (String p : data.keySet()) {
      List<String> v = values(p, scenario, key);
      if (v != null) {
        found.addAll(v);
      }
    }
    return found.isEmpty() ? null : found.iterator().next();
  }

  private List<String> values(String proxy, String scenario, String key) {
    return data.getOrDefault(proxy, Map.of()).getOrDefault(scenario, Map.of()).get(key);
  }

  /** The cell for one proxy: a number's median of the repeated runs with their range, else the last value. */
  private String value(String proxy, String scenario, String key) {
    List<String> v = values(proxy, scenario, key);
    if (v == null) {
      return null;
    }
    List<Double> numbers = numbers(v);
    if (numbers == null || numbers.size() == 1) {
      return v.get(v.size() - 1);
    }
    String low = fmt(numbers.get(0));
    String high = fmt(numbers.get(numbers.size() - 1));
    return fmt(median(numbers)) + (low.equals(high) ? "" : " (" + low + "–" + high + ")");
  }

  private Double number(String proxy, String scenario, String key) {
    List<String> v = values(proxy, scenario, key);
    List<Double> numbers = v == null ? null : numbers(v);
    return numbers == null ? null : median(numbers);
  }

  /** Sorted, or null when any is not a number. */
  private static List<Double> numbers(List<String> values) {
    List<Double> numbers = new ArrayList<>();
    try {
      values.forEach(s -> numbers.add(Double.parseDouble(s)));
    } catch (NumberFormatException e) {
      return null;
    }
    Collections.sort(numbers);
    return numbers;
  }

  private static double median(List<Double> sorted) {
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, v >= 100 ? "%.0f" : "%.2f", v);
  }
}

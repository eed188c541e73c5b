package io.pomelo.sidecar.admin;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The series names a PromQL expression reads, by a small tokenizer rather than a parser: enough for the expressions
 * of deploy/ (PromQlTest shows what it reads). Names are taken as written, suffix and all ({@code _total},
 * {@code _bucket}, {@code _sum}, {@code _count}), since those are the names of the samples on a scrape.
 */
final class PromQl {

  private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
  private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
  private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
  /** Label lists: by (a, b), without (a), on (a), ignoring (a), group_left (a), group_right (a). */
  private static final Pattern LABEL_LIST =
    Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  /** A name not inside a number (1e3), a duration (5m) or a Grafana variable ($instance), and what follows it. */
  private static final Pattern NAME = Pattern.compile("(?<![\\w$.:])([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*(\\(?)");
  private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without",
    "on", "ignoring", "group_left", "group_right", "inf", "nan", "atan2");

  private PromQl() {
  }

  static Set<String> seriesNames(String expression) {
    String rest = STRING.matcher(expression).replaceAll(" ");
    rest = MATCHERS.matcher(rest).replaceAll(" ");
    rest = RANGE.matcher(rest).replaceAll(" ");
    rest = LABEL_LIST.matcher(rest).replaceAll(" ");
    Set<String> names = new TreeSet<>();
    Matcher m = NAME.matcher(rest);
    while (m.find()) {
      String name = m.group(1);
      boolean call = !m.group(2).isEmpty();
      if (!call && !KEYWORDS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
        names.add(name);
      }
    }
    return names;
  }
}

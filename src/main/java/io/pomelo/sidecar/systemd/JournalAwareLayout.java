package io.pomelo.sidecar.systemd;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.LayoutBase;
import java.nio.file.Path;
import java.util.Map;

/**
 * Formats log lines for whoever reads standard error. Under systemd's journal each line starts with its syslog
 * priority ({@code <3>} error, {@code <4>} warn, {@code <6>} info, {@code <7>} debug and trace), which journald strips
 * and stores, and carries no timestamp, since the journal stamps every line itself. Anywhere else it is a readable
 * line with time, level, short logger name and message. Chosen once, at start; no janino needed.
 */
public final class JournalAwareLayout extends LayoutBase<ILoggingEvent> {

  /** Journal lines: the journal records time, host, unit and pid; the logger tells which part of the sidecar spoke. */
  static final String JOURNAL_PATTERN = "%logger{0}: %msg%n%ex";
  /** Terminal and plain-file lines. */
  static final String READABLE_PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level %logger{0} - %msg%n%ex";

  private final Map<String, String> env;
  private final Path stderr;
  private PatternLayout lines;
  private boolean journal;

  /** The layout LogConfiguration builds: it looks at this process's environment and standard error. */
  public JournalAwareLayout() {
    this(System.getenv(), JournalStream.STDERR);
  }

  JournalAwareLayout(Map<String, String> env, Path stderr) {
    this.env = env;
    this.stderr = stderr;
  }

  @Override
  public void start() {
    journal = JournalStream.connected(env, stderr);
    lines = new PatternLayout();
    lines.setContext(getContext());
    lines.setPattern(journal ? JOURNAL_PATTERN : READABLE_PATTERN);
    lines.start();
    super.start();
  }

  @Override
  public void stop() {
    super.stop();
    if (lines != null) {
      lines.stop();
    }
  }

  /** Whether lines carry syslog priorities for the journal. */
  boolean journal() {
    return journal;
  }

  @Override
  public String doLayout(ILoggingEvent event) {
    String text = lines.doLayout(event);
    return journal ? prefixEachLine(text, "<" + priority(event.getLevel()) + ">") : text;
  }

  /** journald reads a stream line by line, so every line of a stack trace needs the prefix, not just the first. */
  private static String prefixEachLine(String text, String prefix) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    int start = 0;
    while (start < text.length()) {
      int end = text.indexOf('\n', start);
      end = end < 0 ? text.length() : end + 1;
      out.append(prefix).append(text, start, end);
      start = end;
    }
    return out.toString();
  }

  /** The syslog(3) priority of a level. */
  static int priority(Level level) {
    switch (level.toInt()) {
      case Level.ERROR_INT:
        return 3;
      case Level.WARN_INT:
        return 4;
      case Level.INFO_INT:
        return 6;
      default:
        return 7;
    }
  }
}

package io.pomelo.sidecar.systemd;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class JournalLogFormatTest {

  private static final String LOGGER = "io.pomelo.sidecar.route.RouteTable";

  @TempDir
  Path dir;

  private final LoggerContext context = new LoggerContext();

  @Test
  void journalLinesCarryThePriorityAndNoTimestamp() throws IOException {
    JournalAwareLayout layout = layout(Map.of("JOURNAL_STREAM", identity(stderr())));
    assertThat(layout.journal()).isTrue();

    assertThat(layout.doLayout(event(Level.ERROR, "backend gate-server-1 refused"))).isEqualTo(
      "<3>RouteTable: backend gate-server-1 refused" + System.lineSeparator());
    assertThat(layout.doLayout(event(Level.WARN, "w"))).isEqualTo("<4>RouteTable: w" + System.lineSeparator());
    assertThat(layout.doLayout(event(Level.INFO, "12 routes"))).isEqualTo(
      "<6>RouteTable: 12 routes" + System.lineSeparator());
    assertThat(layout.doLayout(event(Level.DEBUG, "d"))).isEqualTo("<7>RouteTable: d" + System.lineSeparator());
    assertThat(layout.doLayout(event(Level.TRACE, "t"))).isEqualTo("<7>RouteTable: t" + System.lineSeparator());
  }

  @Test
  void everyLineOfAStackTraceKeepsThePriority() throws IOException {
    JournalAwareLayout layout = layout(Map.of("JOURNAL_STREAM", identity(stderr())));
    LoggingEvent event = event(Level.ERROR, "reload failed");
    event.setThrowableProxy(new ch.qos.logback.classic.spi.ThrowableProxy(new IllegalStateException("bad table")));

    String text = layout.doLayout(event);

    assertThat(text.lines()).hasSizeGreaterThan(2).allMatch(line -> line.startsWith("<3>"));
    assertThat(text).contains("<3>java.lang.IllegalStateException: bad table");
  }

  @Test
  void readableLinesOutsideTheJournal() throws IOException {
    JournalAwareLayout layout = layout(Map.of());
    assertThat(layout.journal()).isFalse();

    assertThat(layout.doLayout(event(Level.WARN, "certificate expires in 6 days")))
      .matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN  RouteTable - certificate expires in 6 days\\R");
  }

  @Test
  void anInheritedJournalStreamForAnotherStreamIsIgnored() throws IOException {
    JournalAwareLayout layout = layout(Map.of("JOURNAL_STREAM", "8:12345"));
    assertThat(layout.journal()).isFalse();
    assertThat(layout.doLayout(event(Level.INFO, "up"))).doesNotStartWith("<6>");
  }

  @Test
  void trustsJournalStreamWhenStderrCannotBeInspected() {
    JournalAwareLayout layout = new JournalAwareLayout(Map.of("JOURNAL_STREAM", "8:12345"), dir.resolve("absent"));
    layout.setContext(context);
    layout.start();
    assertThat(layout.journal()).isTrue();
  }

  @Test
  void mapsEveryLevelToItsSyslogPriority() {
    assertThat(JournalAwareLayout.priority(Level.ERROR)).isEqualTo(3);
    assertThat(JournalAwareLayout.priority(Level.WARN)).isEqualTo(4);
    assertThat(JournalAwareLayout.priority(Level.INFO)).isEqualTo(6);
    assertThat(JournalAwareLayout.priority(Level.DEBUG)).isEqualTo(7);
    assertThat(JournalAwareLayout.priority(Level.TRACE)).isEqualTo(7);
  }

  /** A file standing in for the stream behind file descriptor 2. */
  private Path stderr() throws IOException {
    Path stderr = dir.resolve("stderr");
    return Files.exists(stderr) ? stderr : Files.createFile(stderr);
  }

  /** JOURNAL_STREAM's "device:inode" for a file, as systemd writes it. */
  private static String identity(Path file) throws IOException {
    return Files.getAttribute(file, "unix:dev") + ":" + Files.getAttribute(file, "unix:ino");
  }

  private JournalAwareLayout layout(Map<String, String> env) throws IOException {
    JournalAwareLayout layout = new JournalAwareLayout(env, stderr());
    layout.setContext(context);
    layout.start();
    return layout;
  }

  private LoggingEvent event(Level level, String message) {
    LoggingEvent event = new LoggingEvent();
    event.setLoggerName(LOGGER);
    event.setLevel(level);
    event.setMessage(message);
    event.setTimeStamp(System.currentTimeMillis());
    event.setThreadName("main");
    event.setLoggerContext(context);
    return event;
  }
}

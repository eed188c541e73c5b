package io.pomelo.sidecar.proxy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.List;

/** The access log's lines as a test sees them: captured from {@link #start} at INFO until {@link #stop}. */
final class AccessLogLines {

  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(AccessLog.LOGGER);
  private Level levelBefore;

  void start() {
    levelBefore = logger.getLevel();
    logger.setLevel(Level.INFO);
    lines.start();
    logger.addAppender(lines);
  }

  void stop() {
    logger.detachAppender(lines);
    logger.setLevel(levelBefore);
  }

  /** The lines so far, as written. */
  List<String> lines() {
    return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }
}

package io.pomelo.sidecar.systemd;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.Logger;

import java.nio.charset.StandardCharsets;

/**
 * The sidecar's logging, set up in code rather than by parsing an XML file at every start (logback's XML
 * configuration loads some 600 classes and took about a sixth of the start). One console appender, on standard
 * error: standard output belongs to commands whose output is data ({@code routes}, {@code export-nginx}) and may be
 * piped, so logs must never mix into it. Under systemd both streams go to the journal anyway, and
 * {@link JournalAwareLayout} adds syslog priorities when standard error is the journal. {@code SIDECAR_LOG_LEVEL}
 * (environment, e.g. in /etc/default/pomelo-sidecar, or a -D property) changes the sidecar's own level. A logback
 * file of your own still replaces all of this: {@code -Dlogback.configurationFile=FILE}, or a {@code logback-test.xml}
 * on the class path (the tests).
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogConfiguration extends ContextAwareBase implements Configurator {

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null
      || LogConfiguration.class.getClassLoader().getResource("logback-test.xml") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setContext(context);
    // journald stores UTF-8; without this the JVM's default charset (ASCII under a bare systemd) would apply.
    encoder.setCharset(StandardCharsets.UTF_8);
    JournalAwareLayout layout = new JournalAwareLayout();
    layout.setContext(context);
    layout.start();
    encoder.setLayout(layout);
    encoder.start();
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName("stderr");
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();

    // Libraries speak only when something is wrong; their INFO and DEBUG are start-up chatter.
    context.getLogger("io.netty").setLevel(Level.WARN);
    context.getLogger("io.vertx").setLevel(Level.WARN);
    // Vert.x warns "Connection evicted" for every upgraded upstream connection it hands over as a raw socket.
    context.getLogger("io.vertx.core.http.impl.HttpClientConnectionInternal").setLevel(Level.ERROR);
    // The MQTT client logs every failed connect with a stack trace; MasterLink says it once per change instead.
    context.getLogger("io.vertx.mqtt.impl.MqttClientImpl").setLevel(Level.OFF);
    // Looked up as logback looks up ${SIDECAR_LOG_LEVEL}: a system property, else the environment; an unknown name
    // is DEBUG, as in a logback file.
    String level = System.getProperty("SIDECAR_LOG_LEVEL", System.getenv("SIDECAR_LOG_LEVEL"));
    context.getLogger("io.pomelo.sidecar").setLevel(level == null ? Level.INFO : Level.toLevel(level));
    // One line per WebSocket upgrade (accessLog.enabled). Its own name, outside io.pomelo.sidecar, so that a logback
    // file can give it its own appender or level="OFF" without touching the sidecar's other messages.
    context.getLogger("pomelo-sidecar.access").setLevel(Level.INFO);
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.INFO);
    root.addAppender(stderr);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}

package io.pomelo.sidecar.tls;

import io.pomelo.sidecar.config.CertificateConfig;
import io.pomelo.sidecar.config.TlsConfig;
import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.testing.Await;
import io.pomelo.sidecar.testing.EchoBackend;
import io.pomelo.sidecar.testing.TestSidecar;
import io.pomelo.sidecar.testing.TlsHandshake;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;

import static io.pomelo.sidecar.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Thousands of handshakes, each with an SNI name nobody configured, against two certificates: each gets the default
 * certificate, and the heap the sidecar keeps does not grow with the number of names it has seen.
 */
class SniFloodTest {

  private static final int NAMES = 3000;
  /** A TLS context per name kept 1.8 KB of heap each (5.4 MB for 3 000, and native memory besides). */
  private static final long GROWTH_LIMIT = 1L << 20;

  @TempDir
  Path dir;

  private Vertx vertx;
  private Sidecar sidecar;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    EchoBackend gate = await(EchoBackend.start(vertx, "gate"));
    TestSidecar fixture = new TestSidecar(dir);
    CertificateConfig a = SelfSignedCertificate.write(dir.resolve("a.pem"), dir.resolve("a.key"),
      List.of("a.test"), Instant.now(), Duration.ofDays(1));
    CertificateConfig b = SelfSignedCertificate.write(dir.resolve("b.pem"), dir.resolve("b.key"),
      List.of("b.test"), Instant.now(), Duration.ofDays(1));
    sidecar = await(fixture.start(vertx,
      fixture.config(fixture.serversJson(Map.of("gate-server-1", Map.entry("gate", gate.port()))), List.of())
        .withTls(new TlsConfig(List.of(a, b)))));
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  void unknownNamesGetTheDefaultCertificateAndCostNoMemory() throws Exception {
    // The first few hundred handshakes fill what is filled once (classes, the JIT's code, buffer pools).
    Set<String> served = flood(300);
    long before = retainedHeap();

    served.addAll(flood(NAMES));
    long growth = retainedHeap() - before;
    // The histogram is the whole test JVM's: garbage another test's threads leave settles by the next reading, while
    // a context kept per name (5.4 MB) would stay in every one.
    for (int reading = 0; reading < 2 && growth >= GROWTH_LIMIT; reading++) {
      growth = Math.min(growth, retainedHeap() - before);
    }

    assertThat(served).as("certificates served to unknown names").containsExactly("a.test");
    assertThat(growth).as("heap kept after %d unknown names, in bytes", NAMES).isLessThan(GROWTH_LIMIT);
  }

  /** Handshakes with {@code count} distinct random names on two threads; the common names served. */
  private Set<String> flood(int count) throws Exception {
    Set<String> served = ConcurrentHashMap.newKeySet();
    ExecutorService clients = Executors.newFixedThreadPool(2);
    try {
      List<Future<Void>> done = new java.util.ArrayList<>();
      for (int i = 0; i < count; i++) {
        done.add(clients.submit(() -> {
          served.add(TlsHandshake.commonName(TlsHandshake.with(sidecar.publicPort(), randomName(), "TLSv1.3")));
          return null;
        }));
      }
      for (Future<Void> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      clients.shutdownNow();
    }
    return served;
  }

  private static String randomName() {
    StringBuilder label = new StringBuilder();
    for (int i = 0; i < 16; i++) {
      label.append((char) ('a' + ThreadLocalRandom.current().nextInt(26)));
    }
    return label + ".flood.test";
  }

  /**
   * The bytes of every reachable object, from the JVM's class histogram (which collects first). Exact where the heap
   * in use after {@code System.gc()} varied by megabytes between runs.
   */
  private long retainedHeap() throws Exception {
    // Closed connections first, then what their engines' finalizers release: both would count as kept otherwise.
    Await.until(() -> sidecar.connections().open() == 0);
    for (int i = 0; i < 2; i++) {
      System.gc();
      System.runFinalization();
    }
    String histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
      new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
      new Object[]{new String[0]}, new String[]{String[].class.getName()});
    Matcher total = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)\\s*$").matcher(histogram);
    if (!total.find()) {
      throw new AssertionError("no total in the class histogram: " + histogram.lines().limit(5).toList());
    }
    return Long.parseLong(total.group(1));
  }
}

package io.pomelo.sidecar.acme;

import io.pomelo.sidecar.testing.Ports;
import io.pomelo.sidecar.tls.SelfSignedCertificate;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Debian's pebble ACME CA and its pebble-challtestsrv DNS on loopback, for tests of the sidecar's ACME client.
 * Every name resolves to 127.0.0.1, so pebble validates HTTP-01 and TLS-ALPN-01 against the thing under test on
 * {@link Settings#httpPort()} and {@link Settings#tlsPort()}.
 */
public final class Pebble implements AutoCloseable {

  private static final String PEBBLE = "/usr/bin/pebble";
  private static final String CHALLTESTSRV = "/usr/bin/pebble-challtestsrv";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  /**
   * @param httpPort the port pebble's validator dials on 127.0.0.1 for HTTP-01
   * @param tlsPort the port pebble's validator dials on 127.0.0.1 for TLS-ALPN-01
   * @param certificateValiditySeconds lifetime of issued certificates; 0 keeps pebble's default (about five years)
   * @param blockedDomains domains (and their subdomains) pebble rejects as {@code rejectedIdentifier}
   */
  public record Settings(int httpPort, int tlsPort, long certificateValiditySeconds, List<String> blockedDomains) {

    public Settings {
      if (httpPort < 1 || httpPort > 65535) {
        throw new IllegalArgumentException("httpPort must be 1..65535, was " + httpPort);
      }
      if (tlsPort < 1 || tlsPort > 65535) {
        throw new IllegalArgumentException("tlsPort must be 1..65535, was " + tlsPort);
      }
      if (certificateValiditySeconds < 0) {
        throw new IllegalArgumentException("certificateValiditySeconds cannot be negative, was "
          + certificateValiditySeconds);
      }
      blockedDomains = List.copyOf(blockedDomains);
    }

    /** Fresh free validation ports, pebble's default lifetime, nothing blocked. */
    public static Settings defaults() {
      return new Settings(freePort(), freePort(), 0, List.of());
    }
  }

  private final Settings settings;
  private final Process dns;
  private final Process ca;
  private final StringBuffer output;
  private final URI directory;
  private final URI roots;
  private final Path listenerCertificate;

  private Pebble(Settings settings, Process dns, Process ca, StringBuffer output, URI directory, URI roots,
                 Path listenerCertificate) {
    this.settings = settings;
    this.dns = dns;
    this.ca = ca;
    this.output = output;
    this.directory = directory;
    this.roots = roots;
    this.listenerCertificate = listenerCertificate;
  }

  /** A port nothing listened on at 127.0.0.1 a moment ago: pebble must know validation ports before they are bound. */
  public static int freePort() {
    return Ports.free();
  }

  /** Starts both processes in {@code dir} (certificate, key and config go there) and returns once both listen. */
  public static Pebble start(Path dir, Settings settings) throws IOException {
    Files.createDirectories(dir);
    Path cert = dir.resolve("pebble-listener.pem");
    Path key = dir.resolve("pebble-listener.key");
    // Debian ships no certificate for pebble's own listeners, so each run makes one for the names clients dial.
    SelfSignedCertificate.write(cert, key, List.of("localhost", "127.0.0.1"), Instant.now(), Duration.ofDays(1));

    int dnsPort = freeTcpAndUdpPort();
    int dnsManagementPort = freePort();
    int acmePort = freePort();
    int managementPort = freePort();
    Path config = dir.resolve("pebble-config.json");
    Files.writeString(config, config(settings, cert, key, acmePort, managementPort), StandardCharsets.UTF_8);

    StringBuffer output = new StringBuffer();
    Process dns = null;
    Process ca = null;
    try {
      ProcessBuilder dnsCommand = new ProcessBuilder(CHALLTESTSRV,
        "-dns01", "127.0.0.1:" + dnsPort,
        "-defaultIPv4", "127.0.0.1",
        "-defaultIPv6", "",
        "-http01", "",
        "-https01", "",
        "-tlsalpn01", "",
        "-management", "127.0.0.1:" + dnsManagementPort);
      dns = launch(dnsCommand, dir, "challtestsrv");
      await(dns, output, "challtestsrv", List.of("Starting challenge servers"));
      awaitTcp(dnsPort, dns, output);

      ProcessBuilder caCommand = new ProcessBuilder(PEBBLE,
        "-config", config.toString(),
        "-dnsserver", "127.0.0.1:" + dnsPort,
        "-strict=false");
      Map<String, String> env = caCommand.environment();
      // Validation at once rather than after pebble's random 0-15 s pause.
      env.put("PEBBLE_VA_NOSLEEP", "1");
      // Pebble rejects 5% of good nonces by default; acme4j retries, but tests should not depend on it.
      env.put("PEBBLE_WFE_NONCEREJECT", "0");
      // Each order gets fresh authorizations, so every test really validates.
      env.put("PEBBLE_AUTHZREUSE", "0");
      ca = launch(caCommand, dir, "pebble");
      await(ca, output, "pebble", List.of("Management interface listening on: 127.0.0.1:" + managementPort,
        "Listening on: 127.0.0.1:" + acmePort));
      // Pebble logs these lines just before it binds, so a connect confirms the listeners are really there.
      awaitTcp(acmePort, ca, output);
      awaitTcp(managementPort, ca, output);
      return new Pebble(settings, dns, ca, output, URI.create("https://127.0.0.1:" + acmePort + "/dir"),
        URI.create("https://127.0.0.1:" + managementPort + "/roots/0"), cert);
    } catch (IOException | RuntimeException e) {
      stop(ca);
      stop(dns);
      throw e;
    }
  }

  /** What this CA was started with, including the validation ports. */
  public Settings settings() {
    return settings;
  }

  /** The ACME directory URL; the listener certificate names 127.0.0.1, so TLS hostname checks pass. */
  public URI directory() {
    return directory;
  }

  /** The PEM certificate a client trusts to reach {@link #directory()} and the management port. */
  public Path listenerCertificate() {
    return listenerCertificate;
  }

  /** An SSL context that trusts exactly {@link #listenerCertificate()}. */
  public SSLContext listenerTrust() {
    try (InputStream in = Files.newInputStream(listenerCertificate)) {
      Certificate certificate = CertificateFactory.getInstance("X.509").generateCertificate(in);
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      store.setCertificateEntry("pebble-listener", certificate);
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + listenerCertificate, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("trusting " + listenerCertificate + ": " + e.getMessage(), e);
    }
  }

  /** The PEM root pebble signs with in this run (it makes a fresh one per start), from its management port. */
  public String issuingRoots() throws IOException {
    HttpClient client = HttpClient.newBuilder().sslContext(listenerTrust()).connectTimeout(READY_TIMEOUT).build();
    try {
      HttpResponse<String> response = client.send(HttpRequest.newBuilder(roots).timeout(READY_TIMEOUT).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.US_ASCII));
      if (response.statusCode() != 200) {
        throw new IOException("GET " + roots + " answered " + response.statusCode() + ": " + response.body());
      }
      return response.body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while fetching " + roots, e);
    }
  }

  /** Everything both processes printed so far, each line tagged with its process, for failure messages. */
  public String output() {
    return output.toString();
  }

  @Override
  public void close() {
    stop(ca);
    stop(dns);
  }

  private static String config(Settings settings, Path cert, Path key, int acmePort, int managementPort) {
    StringBuilder json = new StringBuilder();
    json.append("{\"pebble\":{")
      .append("\"listenAddress\":").append(quote("127.0.0.1:" + acmePort)).append(',')
      .append("\"managementListenAddress\":").append(quote("127.0.0.1:" + managementPort)).append(',')
      .append("\"certificate\":").append(quote(cert.toAbsolutePath().toString())).append(',')
      .append("\"privateKey\":").append(quote(key.toAbsolutePath().toString())).append(',')
      .append("\"httpPort\":").append(settings.httpPort()).append(',')
      .append("\"tlsPort\":").append(settings.tlsPort()).append(',')
      .append("\"ocspResponderURL\":\"\",")
      .append("\"externalAccountBindingRequired\":false,")
      .append("\"domainBlocklist\":[")
      .append(settings.blockedDomains().stream().map(Pebble::quote).collect(Collectors.joining(",")))
      .append(']');
    if (settings.certificateValiditySeconds() != 0) {
      json.append(",\"certificateValidityPeriod\":").append(settings.certificateValiditySeconds());
    }
    return json.append("}}\n").toString();
  }

  private static String quote(String value) {
    return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  /** The DNS server binds the same port for UDP and TCP, so both must be free. */
  private static int freeTcpAndUdpPort() {
    for (int attempt = 0; attempt < 20; attempt++) {
      int port = freePort();
      try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
        return udp.getLocalPort();
      } catch (SocketException taken) {
        // Try another: this one is free for TCP only.
      }
    }
    throw new IllegalStateException("no port free for both TCP and UDP on 127.0.0.1 after 20 tries");
  }

  private static Process launch(ProcessBuilder command, Path dir, String name) throws IOException {
    try {
      return command.directory(dir.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IOException("cannot start " + name + " (" + command.command().get(0) + "): " + e.getMessage(), e);
    }
  }

  /** Copies the process's output into {@code output} on a daemon thread; completes once every marker was printed. */
  private static CompletableFuture<Void> watch(Process process, StringBuffer output, String name,
                                               List<String> markers) {
    CompletableFuture<Void> seen = new CompletableFuture<>();
    List<String> missing = new ArrayList<>(markers);
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = lines.readLine()) != null) {
          output.append(name).append(": ").append(line).append('\n');
          String current = line;
          if (missing.removeIf(current::contains) && missing.isEmpty()) {
            seen.complete(null);
          }
        }
      } catch (IOException e) {
        output.append(name).append(": <output unreadable: ").append(e.getMessage()).append(">\n");
      }
      seen.completeExceptionally(new IllegalStateException(name + " closed its output before it was ready"));
    }, "pebble-output-" + name);
    reader.setDaemon(true);
    reader.start();
    return seen;
  }

  /** Fails fast if the process exits first, since the output stream ending also completes the future. */
  private static void await(Process process, StringBuffer output, String name, List<String> markers) {
    CompletableFuture<Void> seen = watch(process, output, name, markers);
    try {
      seen.get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      try {
        // Its output ending usually means it is exiting; give it a moment so the message can name the exit code.
        process.waitFor(1, TimeUnit.SECONDS);
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
      }
      String exit = process.isAlive() ? "still running" : "exited with " + process.exitValue();
      throw new IllegalStateException(name + " did not become ready within " + READY_TIMEOUT + " (" + exit
        + "); output:\n" + output, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + name, e);
    }
  }

  /** Connects until the port accepts, bounded; the log line comes microseconds before the bind. */
  private static void awaitTcp(int port, Process process, StringBuffer output) {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    int tries = 0;
    String last = "none";
    while (System.nanoTime() < deadline && process.isAlive()) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
        return;
      } catch (IOException e) {
        tries++;
        last = e.getMessage();
        Thread.onSpinWait();
      }
    }
    throw new IllegalStateException("nothing accepted on 127.0.0.1:" + port + " (" + tries + " tries, last: " + last
      + "); output:\n" + output);
  }

  private static void stop(Process process) {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}

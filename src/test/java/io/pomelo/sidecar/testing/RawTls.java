package io.pomelo.sidecar.testing;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A client that can misbehave as no real client library will: raw bytes over TLS (or not over TLS at all), sent as
 * slowly as a test likes, trusting only the test certificate.
 */
public final class RawTls {

  private final SSLContext context;
  private final int port;

  public RawTls(Path trustedCert, int port) throws Exception {
    context = SSLContext.getInstance("TLS");
    context.init(null, TlsHandshake.trustOnly(List.of(trustedCert)), null);
    this.port = port;
  }

  /** A TLS connection with the handshake done. */
  public SSLSocket open() throws IOException {
    return open(0);
  }

  /** A TLS connection with the handshake done and, when above 0, a small receive buffer set before connecting. */
  public SSLSocket open(int receiveBuffer) throws IOException {
    return open(receiveBuffer, false);
  }

  /** A TLS connection with the handshake done that also checks the certificate names localhost, as a browser does. */
  public SSLSocket openCheckingHostName() throws IOException {
    return open(0, true);
  }

  private SSLSocket open(int receiveBuffer, boolean checkHostName) throws IOException {
    Socket tcp = new Socket();
    if (receiveBuffer > 0) {
      tcp.setReceiveBufferSize(receiveBuffer);
    }
    tcp.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
    SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(tcp, "localhost", port, true);
    tls.setSoTimeout(10_000);
    if (checkHostName) {
      SSLParameters params = tls.getSSLParameters();
      params.setEndpointIdentificationAlgorithm("HTTPS");
      tls.setSSLParameters(params);
    }
    tls.startHandshake();
    return tls;
  }

  /** A plain TCP connection to the TLS port from {@code source} (a loopback address such as 127.0.0.2). */
  public Socket openPlainFrom(InetAddress source) throws IOException {
    Socket tcp = new Socket();
    tcp.setTcpNoDelay(true);
    tcp.bind(new java.net.InetSocketAddress(source, 0));
    tcp.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
    tcp.setSoTimeout(10_000);
    return tcp;
  }

  /** TLS over {@code tcp}, which may have carried something first (a PROXY protocol header), with the handshake done. */
  public SSLSocket over(Socket tcp) throws IOException {
    SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(tcp, "localhost", port, true);
    // The handshake may wait for a sidecar that is still starting (socket activation): up to a minute.
    tls.setSoTimeout(60_000);
    tls.startHandshake();
    tls.setSoTimeout(10_000);
    return tls;
  }

  /** A plain TCP connection to the TLS port. */
  public Socket openPlain() throws IOException {
    Socket tcp = new Socket(InetAddress.getLoopbackAddress(), port);
    tcp.setSoTimeout(10_000);
    return tcp;
  }

  /** Sends {@code request} and reads the answer until the connection closes or the head and body seem complete. */
  public String exchange(String request) throws IOException {
    try (SSLSocket socket = open()) {
      send(socket, request);
      return readAnswer(socket);
    }
  }

  public static void send(Socket socket, String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
  }

  /** Reads until EOF, or until a head and a Content-Length body are complete, or a 101 head is complete. */
  public static String readAnswer(Socket socket) throws IOException {
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[8192];
    try {
      int n;
      while ((n = in.read(buffer)) > 0) {
        seen.write(buffer, 0, n);
        if (complete(seen.toString(StandardCharsets.ISO_8859_1))) {
          break;
        }
      }
    } catch (SocketException e) {
      // a reset after the answer: what was read is the answer
    }
    return seen.toString(StandardCharsets.ISO_8859_1);
  }

  private static boolean complete(String text) {
    int headEnd = text.indexOf("\r\n\r\n");
    if (headEnd < 0) {
      return false;
    }
    if (text.startsWith("HTTP/1.1 101")) {
      return true;
    }
    String head = text.substring(0, headEnd).toLowerCase(java.util.Locale.ROOT);
    int at = head.indexOf("content-length:");
    if (at < 0) {
      return false;
    }
    int end = head.indexOf("\r\n", at);
    int length = Integer.parseInt(head.substring(at + 15, end < 0 ? head.length() : end).trim());
    return text.length() - headEnd - 4 >= length;
  }

  /**
   * Waits until the peer closes {@code socket} (EOF or reset), reading and dropping whatever comes; false when it is
   * still open after {@code limit}.
   */
  public static boolean closedWithin(Socket socket, Duration limit) throws IOException {
    long deadline = System.nanoTime() + limit.toNanos();
    byte[] buffer = new byte[8192];
    while (System.nanoTime() < deadline) {
      socket.setSoTimeout((int) Math.max(1, Math.min(200, (deadline - System.nanoTime()) / 1_000_000)));
      try {
        if (socket.getInputStream().read(buffer) < 0) {
          return true;
        }
      } catch (SocketTimeoutException e) {
        // still open; keep waiting
      } catch (IOException e) {
        return true;
      }
    }
    return false;
  }

  /** The status code of an HTTP answer, or 0 when there was none. */
  public static int status(String answer) {
    if (!answer.startsWith("HTTP/1.")) {
      return 0;
    }
    return Integer.parseInt(answer.substring(9, 12));
  }

  /** A WebSocket upgrade request for {@code path}, with optional extra header lines (each ending in CRLF). */
  public static String upgrade(String path, String extraHeaders) {
    return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      + "Sec-WebSocket-Key: " + key() + "\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n";
  }

  public static String get(String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
  }

  private static String key() {
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    return Base64.getEncoder().encodeToString(nonce);
  }
}

package io.pomelo.sidecar.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Pomelo server stand-in on plain blocking sockets, for what a well-behaved server library will not do: accept
 * and never answer, die in the middle of a session, or push bytes at a client that reads nothing while counting
 * exactly how many the kernel took. It answers upgrades with a bare 101 (no extensions) unless told to stay silent.
 */
public final class RawWebSocketBackend implements AutoCloseable {

  private final ServerSocket server;
  private final boolean answers;
  private final BlockingQueue<Socket> upgraded = new LinkedBlockingQueue<>();
  private final List<String> heads = new CopyOnWriteArrayList<>();
  private final List<Socket> all = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  private RawWebSocketBackend(boolean answers) throws IOException {
    this.server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
    this.answers = answers;
    this.acceptor = new Thread(this::acceptLoop, "raw-backend-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** A backend that completes every upgrade. */
  public static RawWebSocketBackend answering() throws IOException {
    return new RawWebSocketBackend(true);
  }

  /** A backend that accepts connections, reads the request, and never answers. */
  public static RawWebSocketBackend silent() throws IOException {
    return new RawWebSocketBackend(false);
  }

  public int port() {
    return server.getLocalPort();
  }

  /** The next upgraded server-side socket, or null after {@code seconds}. */
  public Socket nextUpgraded(long seconds) throws InterruptedException {
    return upgraded.poll(seconds, TimeUnit.SECONDS);
  }

  /** Every request head received, in order. */
  public List<String> heads() {
    return heads;
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        all.add(socket);
        Thread handler = new Thread(() -> serve(socket), "raw-backend-conn");
        handler.setDaemon(true);
        handler.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try {
      String head = readHead(socket.getInputStream());
      if (head == null) {
        // A health probe connects and closes without a word: holding its socket in CLOSE-WAIT looked like a leak.
        release(socket);
        return;
      }
      heads.add(head);
      if (!answers) {
        // Silent until the peer gives up, then the socket goes, as a hung server's kernel would let it.
        socket.getInputStream().transferTo(OutputStream.nullOutputStream());
        release(socket);
        return;
      }
      String key = header(head, "sec-websocket-key");
      String accept = accept(key);
      socket.getOutputStream().write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      upgraded.add(socket);
    } catch (Exception e) {
      closeQuietly(socket);
    }
  }

  /** The Sec-WebSocket-Accept answer to {@code key} (RFC 6455 4.2.2). */
  static String accept(String key) {
    try {
      return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
        .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      head.write(b);
      String text = head.toString(StandardCharsets.ISO_8859_1);
      if (text.endsWith("\r\n\r\n")) {
        return text;
      }
    }
    return null;
  }

  private static String header(String head, String name) {
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
        return line.substring(colon + 1).trim();
      }
    }
    return "";
  }

  private void release(Socket socket) {
    all.remove(socket);
    closeQuietly(socket);
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // already gone
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    all.forEach(RawWebSocketBackend::closeQuietly);
  }
}

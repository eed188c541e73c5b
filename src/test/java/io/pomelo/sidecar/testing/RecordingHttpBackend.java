package io.pomelo.sidecar.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A plain HTTP/1.1 origin on blocking sockets that records every request it parses, with its own lenient parser
 * (the way a Node server reads: Content-Length, or chunked when Transfer-Encoding says so; keep-alive until the peer
 * closes). Not Netty's parser: a request that the sidecar's parser and this one frame differently shows up here
 * as an extra request, which is exactly what a smuggling test looks for. Every request is answered
 * {@code 200 ok}, or a WebSocket upgrade with a bare 101.
 */
public final class RecordingHttpBackend implements AutoCloseable {

  /** One request as this origin framed it: the request line, the headers as sent (name, value) and the body. */
  public record Parsed(String line, List<Map.Entry<String, String>> headers, String body) {

    /** The first value of {@code name} (case-insensitive), or null. */
    public String header(String name) {
      for (Map.Entry<String, String> h : headers) {
        if (h.getKey().equalsIgnoreCase(name)) {
          return h.getValue();
        }
      }
      return null;
    }

    /** How many times {@code name} occurs. */
    public long count(String name) {
      return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name)).count();
    }
  }

  private final ServerSocket server;
  private final List<Parsed> requests = new CopyOnWriteArrayList<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  public RecordingHttpBackend() throws IOException {
    server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "recording-backend-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Every request parsed so far, on every connection, in arrival order. */
  public List<Parsed> requests() {
    return List.copyOf(requests);
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        sockets.add(socket);
        Thread reader = new Thread(() -> serve(socket), "recording-backend-conn");
        reader.setDaemon(true);
        reader.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      while (true) {
        String line = readLine(in);
        if (line == null) {
          return;
        }
        if (line.isEmpty()) {
          continue;
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (String h = readLine(in); h != null && !h.isEmpty(); h = readLine(in)) {
          int colon = h.indexOf(':');
          headers.add(colon < 0 ? Map.entry(h, "") : Map.entry(h.substring(0, colon), h.substring(colon + 1).trim()));
        }
        Map<String, String> lower = new LinkedHashMap<>();
        headers.forEach(e -> lower.putIfAbsent(e.getKey().trim().toLowerCase(Locale.ROOT), e.getValue()));
        String te = lower.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT);
        String body;
        if (te.contains("chunked")) {
          body = readChunked(in);
        } else if (lower.containsKey("content-length")) {
          body = readFixed(in, Integer.parseInt(lower.get("content-length").trim()));
        } else {
          body = "";
        }
        requests.add(new Parsed(line, List.copyOf(headers), body));
        if ("websocket".equalsIgnoreCase(lower.getOrDefault("upgrade", ""))) {
          out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: " + RawWebSocketBackend.accept(lower.getOrDefault("sec-websocket-key", ""))
            + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
          in.transferTo(OutputStream.nullOutputStream());
          return;
        }
        out.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"
          .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
      }
    } catch (IOException | RuntimeException e) {
      // a peer that went away, or bytes this parser cannot frame: the connection ends here
    }
  }

  private static String readChunked(InputStream in) throws IOException {
    StringBuilder body = new StringBuilder();
    while (true) {
      String size = readLine(in);
      if (size == null) {
        throw new IOException("eof in chunked body");
      }
      int semicolon = size.indexOf(';');
      int n = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
      if (n == 0) {
        for (String t = readLine(in); t != null && !t.isEmpty(); t = readLine(in)) {
          // trailers are dropped
        }
        return body.toString();
      }
      body.append(readFixed(in, n));
      readLine(in);
    }
  }

  private static String readFixed(InputStream in, int n) throws IOException {
    byte[] bytes = in.readNBytes(n);
    if (bytes.length < n) {
      throw new IOException("eof in body");
    }
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  /** A line ended by LF (a CR before it is dropped), or null at EOF before any byte. */
  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        String s = line.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      line.write(b);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : sockets) {
      s.close();
    }
  }
}

package io.pomelo.sidecar.tls;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a ClientHello asks for that decides a TLS-ALPN-01 answer: the SNI name (lower-case, null when none) and the
 * ALPN protocols offered. Read from untrusted bytes: every length is checked against what is there, and a lie makes
 * the whole offer unreadable (null) rather than an exception.
 */
record ClientHelloOffer(String serverName, List<String> protocols) {

  private static final int SERVER_NAME = 0;
  private static final int ALPN = 16;

  /**
   * The offer in a ClientHello body (after the 4-byte handshake header), or null when it is malformed.
   */
  static ClientHelloOffer read(ByteBuf hello) {
    Cursor in = new Cursor(hello, hello.readerIndex(), hello.writerIndex());
    // legacy_version and random, then the session id, cipher suites and compression methods.
    if (!in.skip(2 + 32) || !in.skip(in.u8()) || !in.skip(in.u16()) || !in.skip(in.u8())) {
      return null;
    }
    String serverName = null;
    List<String> protocols = List.of();
    if (in.atEnd()) {
      return new ClientHelloOffer(null, protocols);
    }
    Cursor extensions = in.slice(in.u16());
    if (extensions == null) {
      return null;
    }
    while (!extensions.atEnd()) {
      int type = extensions.u16();
      Cursor data = extensions.slice(extensions.u16());
      if (data == null) {
        return null;
      }
      if (type == SERVER_NAME && (serverName = hostName(data)) == null) {
        return null;
      }
      if (type == ALPN && (protocols = protocols(data)) == null) {
        return null;
      }
    }
    return new ClientHelloOffer(serverName, protocols);
  }

  /** The host_name entry of a server_name list, or null when the list is malformed or names no host. */
  private static String hostName(Cursor data) {
    Cursor list = data.slice(data.u16());
    while (list != null && !list.atEnd()) {
      int nameType = list.u8();
      Cursor name = list.slice(list.u16());
      if (name == null) {
        return null;
      }
      if (nameType == 0) {
        return name.ascii().toLowerCase(Locale.ROOT);
      }
    }
    return null;
  }

  /** The protocol names of an ALPN list, or null when it is malformed. */
  private static List<String> protocols(Cursor data) {
    Cursor list = data.slice(data.u16());
    if (list == null) {
      return null;
    }
    List<String> names = new ArrayList<>();
    while (!list.atEnd()) {
      Cursor name = list.slice(list.u8());
      if (name == null) {
        return null;
      }
      names.add(name.ascii());
    }
    return List.copyOf(names);
  }

  /**
   * Reads forward within [at, end) of a buffer; a read past the end yields -1 and poisons the cursor, so every later
   * skip or slice fails and every loop over it ends.
   */
  private static final class Cursor {

    private final ByteBuf buf;
    private int at;
    private int end;

    Cursor(ByteBuf buf, int at, int end) {
      this.buf = buf;
      this.at = at;
      this.end = end;
    }

    boolean atEnd() {
      return at >= end;
    }

    int u8() {
      if (end - at < 1) {
        return poison();
      }
      return buf.getUnsignedByte(at++);
    }

    int u16() {
      if (end - at < 2) {
        return poison();
      }
      int value = buf.getUnsignedShort(at);
      at += 2;
      return value;
    }

    boolean skip(int length) {
      if (length < 0 || end - at < length) {
        poison();
        return false;
      }
      at += length;
      return true;
    }

    /** The next {@code length} bytes as a cursor of their own, or null when they are not all there. */
    Cursor slice(int length) {
      int from = at;
      return skip(length) ? new Cursor(buf, from, from + length) : null;
    }

    String ascii() {
      String text = buf.toString(at, end - at, StandardCharsets.US_ASCII);
      at = end;
      return text;
    }

    private int poison() {
      at = end;
      end = -1;
      return -1;
    }
  }
}

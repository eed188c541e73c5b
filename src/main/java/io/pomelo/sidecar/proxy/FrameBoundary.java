package io.pomelo.sidecar.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Follows the WebSocket frame headers in one direction of a tunnel (RFC 6455 5.2) without decoding payloads, so
 * the sidecar knows where one frame ends. Only then can it put a close frame of its own into the stream (1012 when
 * a route is removed, 1001 at shutdown) without cutting a frame in half. Per buffer it reads at most a few header
 * bytes and does arithmetic on lengths; payload bytes are never touched.
 */
final class FrameBoundary {

  /** Header bytes collected so far for the frame being started; 0 means between frames or inside a payload. */
  private int headerHave;
  /** Total header length once known (2, 4, 10, plus 4 with a mask); 2 until the second byte is seen. */
  private int headerNeed = 2;
  private byte second;
  private boolean closeSeen;
  private long lengthSoFar;
  private long payloadLeft;

  /** True once a close frame (opcode 8) has started in this direction. */
  boolean closeSeen() {
    return closeSeen;
  }

  /** True when the bytes seen so far end exactly at a frame boundary. */
  boolean atBoundary() {
    return headerHave == 0 && payloadLeft == 0;
  }

  /** Accounts for every readable byte of {@code buffer}; its indexes are left alone. */
  void consume(ByteBuf buffer) {
    consume(buffer, false);
  }

  /**
   * Accounts for the bytes of {@code buffer} up to the first frame boundary and returns how many that was:
   * its readable length when no frame ends inside it (or one ends exactly at its end), else the count up to just
   * after the frame that ends. Used when closing: the bytes after that are never sent.
   */
  int consumeToBoundary(ByteBuf buffer) {
    return consume(buffer, true);
  }

  private int consume(ByteBuf buffer, boolean stopAtBoundary) {
    int start = buffer.readerIndex();
    int length = buffer.readableBytes();
    int i = 0;
    while (i < length) {
      if (payloadLeft > 0) {
        long step = Math.min(payloadLeft, length - i);
        payloadLeft -= step;
        i += (int) step;
      } else {
        header(buffer.getByte(start + i));
        i++;
      }
      if (stopAtBoundary && atBoundary()) {
        return i;
      }
    }
    return length;
  }

  private void header(byte b) {
    headerHave++;
    if (headerHave == 1) {
      closeSeen |= (b & 0x0f) == 0x8;
      return;
    }
    if (headerHave == 2) {
      second = b;
      int len7 = b & 0x7f;
      int mask = (b & 0x80) != 0 ? 4 : 0;
      headerNeed = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + mask;
      lengthSoFar = len7 < 126 ? len7 : 0;
    } else if (headerHave <= 2 + extendedLengthBytes()) {
      lengthSoFar = (lengthSoFar << 8) | (b & 0xff);
    }
    if (headerHave == headerNeed) {
      payloadLeft = lengthSoFar;
      headerHave = 0;
      headerNeed = 2;
    }
  }

  private int extendedLengthBytes() {
    int len7 = second & 0x7f;
    return len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
  }

  /** An unmasked close frame as a server sends it: code and a short reason. */
  static ByteBuf closeFrame(int code, String reason) {
    byte[] text = reason.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    ByteBuf frame = Unpooled.buffer(4 + text.length);
    frame.writeByte(0x88).writeByte(2 + text.length).writeShort(code).writeBytes(text);
    return frame;
  }
}

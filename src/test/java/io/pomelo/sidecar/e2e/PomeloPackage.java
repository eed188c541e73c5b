package io.pomelo.sidecar.e2e;

import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.List;

/**
 * One frame of Pomelo's wire protocol (pomelo-protocol 0.1.6, {@code Package}): a type byte, a 3-byte
 * big-endian body length, then the body. One WebSocket message may carry several packages.
 *
 * @param type one of the {@code TYPE_*} constants
 * @param body the body, empty for heartbeats and the handshake ack
 */
record PomeloPackage(int type, Buffer body) {

  /** Client hello with {@code {sys: {type, version}}}; the server answers with the same type. */
  static final int TYPE_HANDSHAKE = 1;
  /** Client's acknowledgement of the server's handshake; the session is working from here on. */
  static final int TYPE_HANDSHAKE_ACK = 2;
  /** Empty keep-alive, sent by each side. */
  static final int TYPE_HEARTBEAT = 3;
  /** Carries one {@link PomeloMessage}. */
  static final int TYPE_DATA = 4;
  /** Server's goodbye with {@code {reason}}, sent before it closes. */
  static final int TYPE_KICK = 5;

  private static final int HEAD_BYTES = 4;
  private static final int MAX_BODY = 0xFFFFFF;

  PomeloPackage {
    if (type < TYPE_HANDSHAKE || type > TYPE_KICK) {
      throw new IllegalArgumentException("package type must be 1..5, was " + type);
    }
    if (body.length() > MAX_BODY) {
      throw new IllegalArgumentException("package body must fit in 3 bytes of length, was " + body.length());
    }
  }

  static PomeloPackage of(int type) {
    return new PomeloPackage(type, Buffer.buffer());
  }

  Buffer encode() {
    int length = body.length();
    return Buffer.buffer(HEAD_BYTES + length)
      .appendByte((byte) type)
      .appendByte((byte) (length >>> 16))
      .appendByte((byte) (length >>> 8))
      .appendByte((byte) length)
      .appendBuffer(body);
  }

  /** Every package in one WebSocket message, in order. */
  static List<PomeloPackage> decodeAll(Buffer message) {
    List<PomeloPackage> packages = new ArrayList<>();
    int offset = 0;
    while (offset < message.length()) {
      if (message.length() - offset < HEAD_BYTES) {
        throw new IllegalArgumentException("truncated package head at byte " + offset);
      }
      int type = message.getUnsignedByte(offset);
      int length = message.getUnsignedMedium(offset + 1);
      int start = offset + HEAD_BYTES;
      if (message.length() - start < length) {
        throw new IllegalArgumentException("package at byte " + offset + " declares " + length
          + " body bytes but " + (message.length() - start) + " remain");
      }
      packages.add(new PomeloPackage(type, message.getBuffer(start, start + length)));
      offset = start + length;
    }
    return packages;
  }
}

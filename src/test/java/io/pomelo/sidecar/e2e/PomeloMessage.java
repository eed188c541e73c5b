package io.pomelo.sidecar.e2e;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/**
 * The body of a data package (pomelo-protocol 0.1.6, {@code Message}): a flag byte
 * ({@code type << 1 | compressRoute}, bit 4 gzip), a base-128 little-endian id for requests and
 * responses, a route for requests, notifies and pushes, then the body (JSON here).
 * Routes travel as strings (1 length byte, UTF-8): the test app runs with {@code useDict} off, so
 * compressed (dictionary) routes and gzip are rejected rather than guessed at.
 *
 * @param type  one of the {@code TYPE_*} constants
 * @param id    request id, matching a response to its request; 0 for notifies and pushes
 * @param route handler route ({@code connector.entryHandler.entry}) or push route; null for responses
 * @param body  the encoded body
 */
record PomeloMessage(int type, int id, String route, Buffer body) {

  static final int TYPE_REQUEST = 0;
  static final int TYPE_NOTIFY = 1;
  static final int TYPE_RESPONSE = 2;
  static final int TYPE_PUSH = 3;

  private static final int COMPRESS_ROUTE_MASK = 0x1;
  private static final int GZIP_MASK = 0x10;
  private static final int TYPE_MASK = 0x7;
  private static final int MAX_ROUTE_BYTES = 255;

  PomeloMessage {
    if (type < TYPE_REQUEST || type > TYPE_PUSH) {
      throw new IllegalArgumentException("message type must be 0..3, was " + type);
    }
    if (hasId(type) && id < 0) {
      throw new IllegalArgumentException("message id must not be negative, was " + id);
    }
    if (hasRoute(type) && route == null) {
      throw new IllegalArgumentException("a message of type " + type + " needs a route");
    }
  }

  Buffer encode() {
    Buffer out = Buffer.buffer().appendByte((byte) (type << 1));
    if (hasId(type)) {
      int rest = id;
      do {
        int low = rest & 0x7F;
        rest >>>= 7;
        out.appendByte((byte) (rest != 0 ? low | 0x80 : low));
      } while (rest != 0);
    }
    if (hasRoute(type)) {
      byte[] routeBytes = route.getBytes(StandardCharsets.UTF_8);
      if (routeBytes.length > MAX_ROUTE_BYTES) {
        throw new IllegalArgumentException("route must be at most 255 UTF-8 bytes: " + route);
      }
      out.appendByte((byte) routeBytes.length).appendBytes(routeBytes);
    }
    return out.appendBuffer(body);
  }

  static PomeloMessage decode(Buffer bytes) {
    int offset = 0;
    int flag = bytes.getUnsignedByte(offset++);
    int type = (flag >> 1) & TYPE_MASK;
    if ((flag & COMPRESS_ROUTE_MASK) != 0) {
      throw new IllegalArgumentException("compressed route received, but the client speaks useDict off only");
    }
    if ((flag & GZIP_MASK) != 0) {
      throw new IllegalArgumentException("gzip-compressed message received; the client does not decompress");
    }
    int id = 0;
    if (hasId(type)) {
      int shift = 0;
      int next;
      do {
        next = bytes.getUnsignedByte(offset++);
        id |= (next & 0x7F) << shift;
        shift += 7;
      } while (next >= 0x80);
    }
    String route = null;
    if (hasRoute(type)) {
      int length = bytes.getUnsignedByte(offset++);
      route = bytes.getString(offset, offset + length, StandardCharsets.UTF_8.name());
      offset += length;
    }
    return new PomeloMessage(type, id, route, bytes.getBuffer(offset, bytes.length()));
  }

  private static boolean hasId(int type) {
    return type == TYPE_REQUEST || type == TYPE_RESPONSE;
  }

  private static boolean hasRoute(int type) {
    return type == TYPE_REQUEST || type == TYPE_NOTIFY || type == TYPE_PUSH;
  }
}

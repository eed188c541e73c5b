package io.pomelo.sidecar.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * An HTTP/1.1 message head as the bytes the sidecar writes itself, on channels where no HTTP encoder is (or stays):
 * the upgrade request to a Pomelo server, and the 101 to the client.
 */
final class HttpHead {

  private HttpHead() {
  }

  /**
   * Header names and values came through Netty's or Vert.x's HTTP decoder, which refuse CR and LF in them, and were
   * read as ISO-8859-1: writing them as ISO-8859-1 gives back the exact bytes received.
   */
  static ByteBuf encode(Channel channel, String startLine, Iterable<Map.Entry<String, String>> headers) {
    StringBuilder head = new StringBuilder(512).append(startLine).append("\r\n");
    for (Map.Entry<String, String> header : headers) {
      head.append(header.getKey()).append(": ").append(header.getValue()).append("\r\n");
    }
    head.append("\r\n");
    ByteBuf bytes = channel.alloc().buffer(head.length());
    bytes.writeCharSequence(head, StandardCharsets.ISO_8859_1);
    return bytes;
  }
}

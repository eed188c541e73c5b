package io.pomelo.sidecar.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class FrameBoundaryTest {

  /** A server frame (unmasked) or a client frame (masked) with a payload of {@code n} bytes. */
  private static Buffer frame(int n, boolean masked) {
    Buffer b = Buffer.buffer().appendByte((byte) 0x82);
    int mask = masked ? 0x80 : 0;
    if (n < 126) {
      b.appendByte((byte) (mask | n));
    } else if (n < 65536) {
      b.appendByte((byte) (mask | 126)).appendShort((short) n);
    } else {
      b.appendByte((byte) (mask | 127)).appendLong(n);
    }
    if (masked) {
      b.appendInt(0x01020304);
    }
    return b.appendBytes(new byte[n]);
  }

  /** With a reader index that is not 0, as a slice of a bigger read would have. */
  private static ByteBuf bytes(Buffer b) {
    ByteBuf buf = Unpooled.buffer().writeByte(0x55).writeBytes(b.getBytes());
    return buf.skipBytes(1);
  }

  @Test
  void followsFramesOfEveryLengthFormSplitAnywhere() {
    Random random = new Random(42);
    for (boolean masked : new boolean[]{false, true}) {
      Buffer stream = Buffer.buffer();
      int[] sizes = {0, 1, 125, 126, 127, 65535, 65536, 70000, 3};
      for (int size : sizes) {
        stream.appendBuffer(frame(size, masked));
      }
      FrameBoundary boundary = new FrameBoundary();
      int boundaries = 0;
      int i = 0;
      while (i < stream.length()) {
        int chunk = Math.min(stream.length() - i, 1 + random.nextInt(300));
        // feed byte ranges and count how often we sit exactly on a boundary after a frame ends
        for (int j = 0; j < chunk; j++) {
          boundary.consume(bytes(stream.getBuffer(i + j, i + j + 1)));
          if (boundary.atBoundary()) {
            boundaries++;
          }
        }
        i += chunk;
      }
      assertThat(boundaries).as("masked=" + masked).isEqualTo(sizes.length);
      assertThat(boundary.atBoundary()).isTrue();
    }
  }

  @Test
  void consumeToBoundaryStopsRightAfterTheFrameInProgress() {
    Buffer stream = Buffer.buffer().appendBuffer(frame(10, false)).appendBuffer(frame(300, false));
    FrameBoundary boundary = new FrameBoundary();
    boundary.consume(bytes(stream.getBuffer(0, 5)));
    assertThat(boundary.atBoundary()).isFalse();
    int end = boundary.consumeToBoundary(bytes(stream.getBuffer(5, stream.length())));
    assertThat(end).isEqualTo(12 - 5);
    assertThat(boundary.atBoundary()).isTrue();
  }

  @Test
  void closeFrameCarriesCodeAndReason() {
    Buffer close = Buffer.buffer(ByteBufUtil.getBytes(FrameBoundary.closeFrame(1012, "route removed")));
    assertThat(close.getByte(0)).isEqualTo((byte) 0x88);
    assertThat(close.getByte(1)).isEqualTo((byte) (2 + "route removed".length()));
    assertThat(close.getShort(2)).isEqualTo((short) 1012);
    assertThat(close.getString(4, close.length())).isEqualTo("route removed");
  }
}

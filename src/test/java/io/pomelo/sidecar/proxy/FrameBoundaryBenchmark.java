package io.pomelo.sidecar.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-read work a tunnel adds to relaying bytes: {@link FrameBoundary#consume} over one read's buffer (a direct
 * buffer, as reads arrive) holding whole masked client frames. It must stay a few nanoseconds per frame whatever the
 * payload size, because it reads only headers. Run with JMH's main (bench/README.md); not a test.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FrameBoundaryBenchmark {

  /** Payload bytes per frame: a Pomelo heartbeat-sized one, the bench's 1 KiB, and one with a 64-bit length. */
  @Param({"4", "1024", "70000"})
  public int payload;

  /** Frames that arrived in one read. */
  @Param({"1", "16"})
  public int frames;

  private final FrameBoundary boundary = new FrameBoundary();
  private ByteBuf read;

  @Setup(Level.Trial)
  public void setup() {
    read = PooledByteBufAllocator.DEFAULT.directBuffer();
    for (int f = 0; f < frames; f++) {
      read.writeByte(0x82);
      if (payload < 126) {
        read.writeByte(0x80 | payload);
      } else if (payload <= 0xffff) {
        read.writeByte(0x80 | 126).writeShort(payload);
      } else {
        read.writeByte(0x80 | 127).writeLong(payload);
      }
      read.writeInt(0x1234abcd).writeZero(payload);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    read.release();
  }

  @Benchmark
  public boolean consume() {
    boundary.consume(read);
    return boundary.atBoundary();
  }
}

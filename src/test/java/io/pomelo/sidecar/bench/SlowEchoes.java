package io.pomelo.sidecar.bench;

import java.io.PrintStream;

/**
 * The latency scenario's trace of slow echoes ({@code --slow-us N}, {@code SLOW_US} in run.sh): the intended send
 * time and the round trip of every echo slower than N µs, written after the run as
 * {@code SLOW <wall-clock ms of the intended send> <µs>} lines for the measured window only. Laid beside the
 * JVMs' GC logs ({@code -Xlog:gc:file=...:time}) it tells a pause, a stall of the generator and a slow proxy
 * apart: that is how the window's own artifacts were found (bench/RESULTS.md). Touched on the event loop only.
 */
final class SlowEchoes {

  private static final int CAPACITY = 1 << 20;

  private final long thresholdNanos;
  private final long[] intended;
  private final long[] nanos;
  private int size;

  /** {@code thresholdMicros} 0: records nothing. */
  SlowEchoes(long thresholdMicros) {
    this.thresholdNanos = thresholdMicros <= 0 ? Long.MAX_VALUE : thresholdMicros * 1000;
    this.intended = thresholdMicros <= 0 ? new long[0] : new long[CAPACITY];
    this.nanos = thresholdMicros <= 0 ? new long[0] : new long[CAPACITY];
  }

  void echoed(long intendedNanos, long roundTripNanos) {
    if (roundTripNanos > thresholdNanos && size < intended.length) {
      intended[size] = intendedNanos;
      nanos[size++] = roundTripNanos;
    }
  }

  /** The echoes whose send was due in [from, until), System.nanoTime() values, with wall-clock times. */
  void print(PrintStream out, long fromNanos, long untilNanos) {
    long wallMinusNano = System.currentTimeMillis() * 1_000_000L - System.nanoTime();
    out.println("SLOW_WINDOW " + (fromNanos + wallMinusNano) / 1_000_000 + " "
      + (untilNanos + wallMinusNano) / 1_000_000);
    for (int i = 0; i < size; i++) {
      if (intended[i] >= fromNanos && intended[i] < untilNanos) {
        out.println("SLOW " + (intended[i] + wallMinusNano) / 1_000_000 + " " + nanos[i] / 1000);
      }
    }
  }
}

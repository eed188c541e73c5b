package io.pomelo.sidecar.admin;

import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

/**
 * Each collector's count and total time, read from its MXBean when {@code /metrics} is scraped. Micrometer's
 * {@code JvmGcMetrics} and {@code JvmHeapPressureMetrics} listen to the JVM's notification of every collection
 * instead, and their handler (never run often enough to be compiled) took 7-13 ms of the one core the tunnels relay
 * on after each young collection, every few seconds under load: one more stall in the latency tail (measured per run
 * in bench/RESULTS.md). Read at scrape time, the numbers cost nothing in between. The series keep the
 * names dashboards know ({@code jvm_gc_pause_seconds_count} and {@code _sum}, label {@code gc}); what needs a
 * per-collection listener (the pause maximum, allocated and promoted bytes, GC overhead) is not reported.
 */
final class GcTotals implements MeterBinder {

  @Override
  public void bindTo(MeterRegistry registry) {
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      FunctionTimer.builder(concurrent(gc.getName()) ? "jvm.gc.concurrent.phase.time" : "jvm.gc.pause", gc,
          GarbageCollectorMXBean::getCollectionCount, GarbageCollectorMXBean::getCollectionTime, TimeUnit.MILLISECONDS)
        .description("Time spent in garbage collection, by collector (MXBean totals, read at scrape time)")
        .tag("gc", gc.getName())
        .register(registry);
    }
  }

  /** Collectors whose time runs beside the application, not in pauses: ZGC's, Shenandoah's, G1's from Java 20. */
  private static boolean concurrent(String name) {
    return name.contains("Concurrent") || name.endsWith("Cycles");
  }
}

package io.pomelo.sidecar.admin;

import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

/**
 * Each collector's count and total time, read from its MXBean when {@code /metrics} is scraped, instead of
 * Micrometer's per-collection listeners, whose handler stalled the relaying core after every young collection
 * (bench/RESULTS.md). The series keep the names dashboards know ({@code jvm_gc_pause_seconds_count} and
 * {@code _sum}, label {@code gc}); what needs a per-collection listener (the pause maximum, allocated and promoted
 * bytes, GC overhead) is not reported.
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

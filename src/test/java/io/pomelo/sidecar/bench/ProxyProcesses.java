package io.pomelo.sidecar.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The processes of the proxy under test, read from /proc: the given pids and all their descendants (nginx and
 * HAProxy workers, including those a reload starts). A process's /proc/PID/stat counts all of its threads.
 */
final class ProxyProcesses {

  private final List<Long> roots;
  private final long ticksPerSecond;

  ProxyProcesses(List<Long> roots) {
    this.roots = roots;
    this.ticksPerSecond = clockTicks();
  }

  /** CPU time of every process of the proxy, in seconds: utime + stime, and stime alone (the kernel's part). */
  record CpuTime(double seconds, double kernelSeconds) {
  }

  /** One pass over /proc: on the generator's core every reading takes time from its event loop. */
  CpuTime cpuTime() {
    long user = 0;
    long system = 0;
    for (long pid : pids()) {
      String[] f = statFields(pid);
      if (f != null) {
        user += Long.parseLong(f[11]);
        system += Long.parseLong(f[12]);
      }
    }
    return new CpuTime((double) (user + system) / ticksPerSecond, (double) system / ticksPerSecond);
  }

  /**
   * Busy time of CPU 0 (where the proxy is pinned) from /proc/stat, in seconds: minus the proxy's own CPU time it
   * tells how much other work on the machine took the proxy's core during a measurement.
   */
  double cpu0BusySeconds() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
        if (line.startsWith("cpu0 ")) {
          String[] f = line.trim().split("\\s+");
          long busy = 0;
          for (int i = 1; i < f.length; i++) {
            if (i != 4 && i != 5) {
              busy += Long.parseLong(f[i]);
            }
          }
          return (double) busy / ticksPerSecond;
        }
      }
    } catch (IOException | RuntimeException e) {
      // no /proc/stat: report nothing rather than a wrong number
    }
    return Double.NaN;
  }

  /**
   * CPU time of the proxy's JIT compiler threads (HotSpot names them "C1 CompilerThre…"/"C2 CompilerThre…"), in
   * seconds; 0 for the native proxies. Part of {@link #cpuTime}: it tells how much of a JVM's CPU in a window
   * was still warming up rather than proxying.
   */
  double compilerSeconds() {
    long ticks = 0;
    for (long pid : pids()) {
      try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
        for (Path task : (Iterable<Path>) tasks::iterator) {
          String comm = Files.readString(task.resolve("comm")).trim();
          String[] f = comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")
            ? statFields(task.resolve("stat")) : null;
          if (f != null) {
            ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
          }
        }
      } catch (IOException | RuntimeException e) {
        // the process or thread ended between the listing and the read
      }
    }
    return (double) ticks / ticksPerSecond;
  }

  /** Resident memory of every process of the proxy, in KiB. */
  long rssKib() {
    long kib = 0;
    for (long pid : pids()) {
      try {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
          if (line.startsWith("VmRSS:")) {
            kib += Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
          }
        }
      } catch (IOException e) {
        // the process ended between the listing and the read
      }
    }
    return kib;
  }

  Set<Long> pids() {
    Set<Long> all = new LinkedHashSet<>(roots);
    List<long[]> parents = new ArrayList<>();
    try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path p : proc) {
        long pid = Long.parseLong(p.getFileName().toString());
        String[] f = statFields(pid);
        if (f != null) {
          parents.add(new long[] {pid, Long.parseLong(f[1])});
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc", e);
    }
    boolean grew = true;
    while (grew) {
      grew = false;
      for (long[] pp : parents) {
        if (all.contains(pp[1]) && all.add(pp[0])) {
          grew = true;
        }
      }
    }
    return all;
  }

  /** The fields after "(comm)", so that index 0 is the state, 1 the parent, 11 utime and 12 stime. */
  private static String[] statFields(long pid) {
    return statFields(Path.of("/proc", Long.toString(pid), "stat"));
  }

  /** The fields of a /proc stat file after the command name, or null when it is gone. */
  private static String[] statFields(Path file) {
    try {
      String stat = Files.readString(file);
      return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static long clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
      return Long.parseLong(new String(p.getInputStream().readAllBytes()).trim());
    } catch (IOException | RuntimeException e) {
      return 100;
    }
  }
}

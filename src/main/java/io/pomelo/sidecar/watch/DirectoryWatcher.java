package io.pomelo.sidecar.watch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Watches the directories that hold the files the sidecar reads (servers.json, certificates) and reports that
 * something there changed. It watches directories, not files, so that every way of replacing a file is seen: an
 * atomic rename over it (a deploy, certbot), truncate-and-write (an editor), delete then create, and a symlink
 * switch (certbot's live/ links, Kubernetes' ..data). Events are filtered by name: the watched files themselves,
 * and names starting with {@code ..} (the atomic symlink swap of Kubernetes volumes, which renames {@code ..data}
 * rather than the file). Anything else in the directory (a log file beside servers.json, an editor's swap file) is
 * ignored, so it can never set off reloads. The reader compares contents afterwards, so a spurious event costs one
 * read and changes nothing.
 */
public final class DirectoryWatcher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DirectoryWatcher.class);

  /** Quiet time that ends a burst of events. */
  static final long QUIET_MS = 100;
  /** A file rewritten without pause still gets reloaded this often. */
  static final long MAX_WAIT_MS = 500;

  private final WatchService service;
  private final Runnable onChange;
  private final Map<WatchKey, Path> keys = new HashMap<>();
  /** Events about files that do not matter, for tests to await. */
  private final java.util.concurrent.atomic.AtomicLong ignored = new java.util.concurrent.atomic.AtomicLong();
  /** File names that matter, per watched directory. */
  private final Map<Path, Set<String>> names = new HashMap<>();
  private final Thread thread;

  /**
   * @param onChange called on the watcher's own thread after any change in a watched directory; it must only hand
   *                 the work off (bursts are coalesced by the receiver, see {@link ReloadRequests})
   */
  public DirectoryWatcher(Runnable onChange) throws IOException {
    this.service = FileSystems.getDefault().newWatchService();
    this.onChange = onChange;
    this.thread = new Thread(this::run, "pomelo-sidecar-watch");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /**
   * Watches the parent directory of each file, replacing what was watched before. A file in {@code optional}
   * whose directory does not exist is skipped quietly (Pomelo's config/&lt;env&gt;/ layout is rarely used).
   */
  public synchronized void watch(Collection<Path> files, Collection<Path> optional) {
    Set<Path> dirs = new LinkedHashSet<>();
    names.clear();
    for (Path file : files) {
      Path dir = file.toAbsolutePath().normalize().getParent();
      if (dir != null && (Files.isDirectory(dir) || !optional.contains(file))) {
        dirs.add(dir);
        names.computeIfAbsent(dir, d -> new java.util.HashSet<>()).add(file.getFileName().toString());
      }
    }
    keys.entrySet().removeIf(e -> {
      if (!dirs.contains(e.getValue())) {
        e.getKey().cancel();
        return true;
      }
      return false;
    });
    for (Path dir : dirs) {
      if (keys.containsValue(dir)) {
        continue;
      }
      try {
        WatchKey key = dir.register(service, StandardWatchEventKinds.ENTRY_CREATE,
          StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
        keys.put(key, dir);
      } catch (IOException e) {
        // A missing directory is reported by the reader as a missing file; nothing to watch until a reload.
        LOG.warn("cannot watch {}: {}; changes there need a reload (SIGHUP)", dir, e.toString());
      }
    }
  }

  private void run() {
    try {
      while (true) {
        if (!drain(service.take())) {
          continue;
        }
        // Coalesce a burst (an editor's truncate and write, a deploy's create and rename): wait for QUIET_MS
        // without a relevant event, at most MAX_WAIT_MS, then report once; the reload reads the newest files.
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_WAIT_MS);
        while (System.nanoTime() < deadline) {
          WatchKey more = service.poll(QUIET_MS, TimeUnit.MILLISECONDS);
          if (more == null) {
            break;
          }
          drain(more);
        }
        onChange.run();
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      // closed
    } catch (RuntimeException e) {
      // The receiver is gone (its Vert.x instance closed without stopping us): nothing left to tell.
      LOG.debug("file watching stops: {}", e.toString());
    }
  }

  /** Takes the key's events and re-arms it; true when any of them is about a file that matters. */
  private boolean drain(WatchKey key) {
    boolean relevant = relevant(key);
    if (!key.reset()) {
      synchronized (this) {
        keys.remove(key);
      }
    }
    return relevant;
  }

  private synchronized boolean relevant(WatchKey key) {
    Set<String> wanted = names.getOrDefault(keys.get(key), Set.of());
    boolean relevant = false;
    for (java.nio.file.WatchEvent<?> event : key.pollEvents()) {
      if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
        relevant = true;
      } else if (event.context() instanceof Path name) {
        String text = name.toString();
        if (wanted.contains(text) || text.startsWith("..")) {
          relevant = true;
        } else {
          ignored.incrementAndGet();
        }
      }
    }
    return relevant;
  }

  /** How many events were about other files in a watched directory. */
  long ignoredEvents() {
    return ignored.get();
  }

  @Override
  public void close() throws IOException {
    service.close();
    thread.interrupt();
  }
}

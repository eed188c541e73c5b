package io.pomelo.sidecar.watch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Watches the directories that hold the files the sidecar reads (servers.json, certificates) and reports that
 * something there changed. It watches directories, not files, so that every way of replacing a file is seen: an
 * atomic rename over it (a deploy, certbot), truncate-and-write (an editor), delete then create, and a symlink
 * switch (certbot's live/ links, Kubernetes' ..data). Only events that name a watched file count, or a
 * Kubernetes {@code ..}-entry, or an overflow: anything else in the directory is ignored. Counting every event
 * made a log file beside the certificates a loop (each reload logs a line, the line is an event, the event is a
 * reload), and every reload re-checks each certificate's key with a signature.
 */
public final class DirectoryWatcher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DirectoryWatcher.class);

  private final WatchService service;
  private final Runnable onChange;
  private final Map<WatchKey, Path> keys = new HashMap<>();
  /** Per watched directory, the names of the files in it that matter. */
  private final Map<Path, Set<Path>> names = new HashMap<>();
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
      Path absolute = file.toAbsolutePath().normalize();
      Path dir = absolute.getParent();
      if (dir != null && (Files.isDirectory(dir) || !optional.contains(file))) {
        dirs.add(dir);
        names.computeIfAbsent(dir, d -> new HashSet<>()).add(absolute.getFileName());
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
        WatchKey key = service.take();
        boolean relevant = false;
        for (WatchEvent<?> event : key.pollEvents()) {
          relevant |= matters(key, event);
        }
        if (!key.reset()) {
          synchronized (this) {
            keys.remove(key);
          }
        }
        if (relevant) {
          onChange.run();
        }
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      // closed
    } catch (RuntimeException e) {
      // The receiver is gone (its Vert.x instance closed without stopping us): nothing left to tell.
      LOG.debug("file watching stops: {}", e.toString());
    }
  }

  private synchronized boolean matters(WatchKey key, WatchEvent<?> event) {
    if (!(event.context() instanceof Path name)) {
      return true; // an overflow: events were lost, so assume ours was among them
    }
    Set<Path> wanted = names.get(keys.get(key));
    // Kubernetes swaps a ..data symlink and leaves the names the sidecar reads untouched.
    return wanted == null || wanted.contains(name) || name.toString().startsWith("..");
  }

  @Override
  public void close() throws IOException {
    service.close();
    thread.interrupt();
  }
}

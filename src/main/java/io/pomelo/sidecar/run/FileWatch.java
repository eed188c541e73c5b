package io.pomelo.sidecar.run;

import io.pomelo.sidecar.state.RunningState;
import io.pomelo.sidecar.watch.DirectoryWatcher;
import io.pomelo.sidecar.watch.WatchList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/** The watched files of the running configuration; a change asks for a reload of the files alone. */
final class FileWatch implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FileWatch.class);

  private final Runnable onChange;
  private DirectoryWatcher watcher;

  FileWatch(Runnable onChange) {
    this.onChange = onChange;
  }

  /**
   * Watches exactly what {@code state} reads from now on, unless {@code reload.watch} is off; a failure to watch is
   * logged, and reloads stay possible by hand.
   */
  void follow(RunningState state) {
    if (!state.config().reload().watch()) {
      return;
    }
    WatchList list = WatchList.of(state.config(), state.environment());
    try {
      if (watcher == null) {
        watcher = new DirectoryWatcher(onChange);
      }
      watcher.watch(list.files(), list.optional());
    } catch (IOException e) {
      LOG.warn("cannot watch files ({}); reload with SIGHUP or POST /api/reload", e.toString());
    }
  }

  @Override
  public void close() {
    if (watcher == null) {
      return;
    }
    try {
      watcher.close();
    } catch (IOException e) {
      // stopping anyway
    }
  }
}

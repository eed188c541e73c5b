package io.pomelo.sidecar.watch;

import io.pomelo.sidecar.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Only the watched names count: a log file beside the certificates must not make every log line a reload. */
class DirectoryWatcherTest {

  @TempDir
  Path dir;

  @Test
  void anUnrelatedFileInTheDirectoryIsIgnored() throws Exception {
    Path watched = Files.writeString(dir.resolve("cert.pem"), "a");
    AtomicInteger changes = new AtomicInteger();
    try (DirectoryWatcher watcher = new DirectoryWatcher(changes::incrementAndGet)) {
      watcher.watch(List.of(watched), List.of());
      for (int i = 0; i < 5; i++) {
        Files.writeString(dir.resolve("sidecar.log"), "line " + i + "\n");
      }
      // The watcher has seen those events once it counts them as ignored; none of them was reported.
      Await.until(() -> watcher.ignoredEvents() >= 1);
      assertThat(changes).as("events for sidecar.log").hasValue(0);

      Files.writeString(watched, "b");
      Await.eventually(() -> changes.get() > 0);
      assertThat(changes.get()).as("events for cert.pem").isPositive();
    }
  }
}

package io.pomelo.sidecar.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads an input file whole (servers.json, a certificate, key or keystore, the admin token file, the configuration
 * file) only when, after following symlinks, it is a regular file of at most the limit. A FIFO would block the
 * read until some writer came, and every later reload behind it; a device or a huge file would fill the memory.
 * Problems name the file, the place that names it, and the rule, like every other {@link ConfigException}.
 */
public final class BoundedFile {

  /** Far longer than a local file of the limit takes; a hung network mount, or the race below, ends here. */
  static final Duration DEADLINE = Duration.ofSeconds(10);

  /** Reads run here, so a read that hangs holds one of these threads, never a reload's. */
  private static final ExecutorService READERS = Executors.newCachedThreadPool(task -> {
    Thread thread = new Thread(task, "pomelo-sidecar-file-read");
    thread.setDaemon(true);
    return thread;
  });

  private final long maxBytes;
  /** How messages name the limit: {@code reload.maxFileSize (4 MiB)}. */
  private final String limit;

  private BoundedFile(long maxBytes, String limit) {
    this.maxBytes = maxBytes;
    this.limit = limit;
  }

  /** The files the configuration names, held to its {@code reload.maxFileSize}. */
  public static BoundedFile limitedBy(ReloadConfig reload) {
    return new BoundedFile(reload.maxFileSize(), "reload.maxFileSize (" + Sizes.exact(reload.maxFileSize()) + ")");
  }

  /** The configuration file itself, read before its own {@code reload.maxFileSize} is known: held to the default. */
  public static BoundedFile configurationFile() {
    return new BoundedFile(ReloadConfig.DEFAULT_MAX_FILE_SIZE, "the default reload.maxFileSize ("
      + Sizes.exact(ReloadConfig.DEFAULT_MAX_FILE_SIZE) + "), which the configuration file is held to since it is "
      + "read before its own settings");
  }

  /**
   * The file's bytes, or a {@link ConfigException} within {@link #DEADLINE} saying why not.
   *
   * @param place the key or JSON path that names the file ({@code tls.certificates[0].certFile}), or empty
   */
  public byte[] read(Path file, String place) throws ConfigException {
    return within(DEADLINE, file, place, () -> checkedRead(file, place));
  }

  /**
   * Files whose read outlived its deadline and has not returned yet: not read again until it does, so a hung mount
   * holds one thread per file however often the sidecar reloads.
   */
  private static final Set<Path> STUCK = ConcurrentHashMap.newKeySet();

  /** The check and the read, on their own thread; the caller waits at most {@code deadline}. */
  static byte[] within(Duration deadline, Path file, String place, Read read) throws ConfigException {
    Path key = file.toAbsolutePath().normalize();
    if (STUCK.contains(key)) {
      throw new ConfigException(file.toString(), place, null, "was not read: an earlier read of it has not returned"
        + " (a FIFO put in its place, or a hung mount?)");
    }
    Future<byte[]> reading = READERS.submit(() -> {
      try {
        return read.bytes();
      } finally {
        STUCK.remove(key);
      }
    });
    try {
      return reading.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      STUCK.add(key);
      if (reading.isDone()) {
        // It returned between the deadline and the line above: nothing is stuck.
        STUCK.remove(key);
      }
      // An open() on a FIFO ignores the interrupt and stays; a read in progress is closed by it.
      reading.cancel(true);
      String waited = deadline.toMillis() % 1000 == 0 ? deadline.toSeconds() + "s" : deadline.toMillis() + "ms";
      throw new ConfigException(file.toString(), place, null, "was not read within " + waited
        + " (a FIFO put in its place, or a hung mount?); the read is abandoned and later reads do not wait for it");
    } catch (InterruptedException e) {
      reading.cancel(true);
      Thread.currentThread().interrupt();
      throw new ConfigException(file.toString(), place, null, "was not read: interrupted");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ConfigException problem) {
        throw problem;
      }
      throw new ConfigException(file.toString(), place, null, "cannot be read: " + e.getCause());
    }
  }

  private byte[] checkedRead(Path file, String place) throws ConfigException {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw problem(file, place, missing(file));
    } catch (IOException e) {
      throw problem(file, place, "cannot be read: " + reason(e));
    }
    if (!attributes.isRegularFile()) {
      throw problem(file, place, kind(file, attributes) + ", not a regular file");
    }
    if (attributes.size() > maxBytes) {
      String size = Sizes.rounded(attributes.size());
      if (size.equals(Sizes.rounded(maxBytes))) {
        size += " (" + attributes.size() + " bytes)";
      }
      throw problem(file, place, "is " + size + ", over " + limit);
    }
    // A FIFO renamed in between the check and the open would block the open (Java cannot ask for O_NONBLOCK):
    // the deadline of read() ends that.
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes((int) maxBytes + 1);
      if (bytes.length > maxBytes) {
        throw problem(file, place, "grew past " + limit + " while being read");
      }
      return bytes;
    } catch (IOException e) {
      throw problem(file, place, "cannot be read: " + reason(e));
    }
  }

  /** What the path leads to, in the words of {@code ls -l} and {@code stat}. */
  private static String kind(Path file, BasicFileAttributes attributes) {
    String kind = attributes.isDirectory() ? "a directory" : special(file);
    if (Files.isSymbolicLink(file)) {
      try {
        return "leads through a symlink to " + file.toRealPath() + ", " + kind;
      } catch (IOException e) {
        return "leads through a symlink to " + kind;
      }
    }
    return "is " + kind;
  }

  /** FIFO, socket or device, from the file mode where the platform shows it (the "unix" view: Linux, macOS). */
  private static String special(Path file) {
    try {
      int type = (Integer) Files.getAttribute(file, "unix:mode") & 0170000;
      return switch (type) {
        case 0010000 -> "a FIFO";
        case 0020000 -> "a character device";
        case 0060000 -> "a block device";
        case 0140000 -> "a socket";
        default -> "a FIFO, socket or device";
      };
    } catch (IOException | RuntimeException e) {
      return "a FIFO, socket or device";
    }
  }

  /** A dangling symlink (certbot's live/ pointing at an archive that is gone) says where it points. */
  private static String missing(Path file) {
    if (Files.isSymbolicLink(file)) {
      try {
        return "is a symlink to " + Files.readSymbolicLink(file) + ", which does not exist";
      } catch (IOException e) {
        return "is a symlink that leads nowhere";
      }
    }
    return "no such file";
  }

  private static String reason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }

  private static ConfigException problem(Path file, String place, String rule) {
    return new ConfigException(file.toString(), place, null, rule);
  }

  /** One check-and-read, for {@link #within}. */
  @FunctionalInterface
  interface Read {
    byte[] bytes() throws Exception;
  }
}

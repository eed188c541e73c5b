package io.pomelo.sidecar.acme;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The lock a sidecar holds while it orders, so that sidecars sharing a state directory order a certificate once: an
 * operating-system lock on a file, released by the kernel when its holder dies, so a crash never leaves it stuck.
 */
final class OrderLock implements AutoCloseable {

  private final FileChannel channel;
  private final FileLock lock;

  private OrderLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** The lock, or null when another sidecar (or another sidecar in this process) holds it. */
  static OrderLock tryTake(Path file) throws IOException {
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    try {
      FileLock lock = channel.tryLock();
      if (lock != null) {
        return new OrderLock(channel, lock);
      }
    } catch (OverlappingFileLockException e) {
      // held by another sidecar in this JVM (tests run two)
    }
    channel.close();
    return null;
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }
}

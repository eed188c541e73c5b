package io.pomelo.sidecar.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** The ways deploy tools, editors and certbot replace a file, each done for real on the file system. */
public enum FileWrites {
  /** Write a temporary file beside it, then rename over it (deploy tools, certbot's archive). */
  ATOMIC_RENAME {
    @Override
    public void write(Path file, String content) throws IOException {
      Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
      Files.writeString(tmp, content, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
  },
  /** Truncate and write in place, in two writes (an editor saving). */
  TRUNCATE_AND_WRITE {
    @Override
    public void write(Path file, String content) throws IOException {
      byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
      try (var channel = Files.newByteChannel(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
        int half = bytes.length / 2;
        channel.write(java.nio.ByteBuffer.wrap(bytes, 0, half));
        channel.write(java.nio.ByteBuffer.wrap(bytes, half, bytes.length - half));
      }
    }
  },
  /** Delete, then create anew. */
  DELETE_THEN_CREATE {
    @Override
    public void write(Path file, String content) throws IOException {
      Files.deleteIfExists(file);
      Files.writeString(file, content, StandardCharsets.UTF_8);
    }
  },
  /** Point a symlink at a new file (certbot's live/ directory, Kubernetes ..data). */
  SYMLINK_SWITCH {
    @Override
    public void write(Path file, String content) throws IOException {
      Path versions = file.resolveSibling(".versions");
      Files.createDirectories(versions);
      Path target = Files.createTempFile(versions, "v", ".json");
      Files.writeString(target, content, StandardCharsets.UTF_8);
      Path link = file.resolveSibling("." + file.getFileName() + ".link");
      Files.deleteIfExists(link);
      Files.createSymbolicLink(link, target);
      Files.move(link, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
  };

  public abstract void write(Path file, String content) throws IOException;
}

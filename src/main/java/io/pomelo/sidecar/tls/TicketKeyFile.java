package io.pomelo.sidecar.tls;

import io.pomelo.sidecar.config.ConfigException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a session ticket key file in the formats nginx and HAProxy use: raw bytes, one or more 80-byte keys one after
 * the other, or a single 48-byte one ({@code openssl rand 80 > ticket.keys}), or base64 lines of one 80- or 48-byte key each
 * ({@code openssl rand 80 | base64 -w0}). Newest first: the first key seals new tickets, the others still open
 * theirs, so a rotation that puts a new key in front never breaks a resumption in flight.
 *
 * <p>BoringSSL seals tickets with AES-128 and HMAC-SHA256 and takes 16-byte secrets: a 48-byte key is nginx's
 * name, AES and HMAC secrets as they are; an 80-byte key gives its name and the first 16 bytes of its 32-byte HMAC and
 * AES secrets. Every sidecar reading the same file agrees on the keys; an nginx reading it seals tickets differently.
 */
public final class TicketKeyFile {

  /** More keys only slow every ticket that does not match the first. */
  public static final int MOST_KEYS = 8;

  private TicketKeyFile() {
  }

  /** @param file the file's name, for messages */
  public static List<TicketKey> parse(String file, byte[] content) throws ConfigException {
    List<byte[]> raw = looksLikeBase64Lines(content) ? base64Lines(file, content) : concatenated(file, content);
    if (raw.isEmpty()) {
      throw new ConfigException(file, "", null, "holds no key; write one with `openssl rand 80 > " + file + "`");
    }
    if (raw.size() > MOST_KEYS) {
      throw new ConfigException(file, "", null, "holds " + raw.size() + " keys; at most " + MOST_KEYS
        + " (the newest first; drop the oldest)");
    }
    List<TicketKey> keys = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < raw.size(); i++) {
      TicketKey key = key(raw.get(i));
      if (!names.add(key.name())) {
        throw new ConfigException(file, "key " + (i + 1), null, "has the name of an earlier key (its first 16 bytes):"
          + " each key must be new random bytes");
      }
      keys.add(key);
    }
    return List.copyOf(keys);
  }

  private static TicketKey key(byte[] bytes) {
    byte[] name = Arrays.copyOfRange(bytes, 0, 16);
    if (bytes.length == 48) {
      return new TicketKey(name, Arrays.copyOfRange(bytes, 32, 48), Arrays.copyOfRange(bytes, 16, 32));
    }
    return new TicketKey(name, Arrays.copyOfRange(bytes, 16, 32), Arrays.copyOfRange(bytes, 48, 64));
  }

  private static List<byte[]> concatenated(String file, byte[] content) throws ConfigException {
    // 240 bytes could be three 80-byte keys or five 48-byte ones: raw files hold 80-byte keys, or one 48-byte key.
    int size = content.length == 48 ? 48 : content.length % 80 == 0 ? 80 : 0;
    if (size == 0) {
      throw new ConfigException(file, "", content.length + " bytes",
        "must be 80-byte keys one after the other (or one 48-byte key), or base64 lines of one key each");
    }
    List<byte[]> keys = new ArrayList<>();
    for (int at = 0; at < content.length; at += size) {
      keys.add(Arrays.copyOfRange(content, at, at + size));
    }
    return keys;
  }

  private static List<byte[]> base64Lines(String file, byte[] content) throws ConfigException {
    List<byte[]> keys = new ArrayList<>();
    String[] lines = new String(content, StandardCharsets.US_ASCII).split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].trim();
      if (line.isEmpty()) {
        continue;
      }
      byte[] key;
      try {
        key = Base64.getDecoder().decode(line);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(file, "line " + (i + 1), null, "is not base64");
      }
      if (key.length != 80 && key.length != 48) {
        throw new ConfigException(file, "line " + (i + 1), key.length + " bytes", "must decode to 80 (or 48) bytes");
      }
      keys.add(key);
    }
    return keys;
  }

  /** Text of base64 characters and line ends only: random key bytes look like that with odds of about 2^-200. */
  private static boolean looksLikeBase64Lines(byte[] content) {
    for (byte b : content) {
      boolean base64 = b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '+' || b == '/'
        || b == '=' || b == '\n' || b == '\r' || b == ' ';
      if (!base64) {
        return false;
      }
    }
    return content.length > 0;
  }
}

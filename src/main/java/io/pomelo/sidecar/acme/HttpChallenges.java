package io.pomelo.sidecar.acme;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The HTTP-01 challenges being answered now (RFC 8555 8.3): token to key authorization. Written by whatever runs the
 * ACME order, read by every {@link PlainListener} event loop; safe from any thread.
 */
public final class HttpChallenges {

  /** RFC 8555 8.3: a token is base64url without padding; the bound keeps one registry entry small. */
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{1,128}");

  private final Map<String, String> answers = new ConcurrentHashMap<>();

  /** Answers {@code token} with {@code keyAuthorization} from now on, replacing an earlier answer. */
  public void put(String token, String keyAuthorization) {
    if (!isToken(token)) {
      throw new IllegalArgumentException("challenge token must be base64url ([A-Za-z0-9_-]{1,128}), got "
        + (token == null ? "null" : token.length() + " characters"));
    }
    if (keyAuthorization == null || keyAuthorization.isEmpty()) {
      throw new IllegalArgumentException("key authorization for token " + token + " must not be empty");
    }
    answers.put(token, keyAuthorization);
  }

  /** Stops answering {@code token}; nothing happens when it was not answered. */
  public void remove(String token) {
    if (token != null) {
      answers.remove(token);
    }
  }

  /** The key authorization for {@code token}, or null when none is known. */
  String answer(String token) {
    return isToken(token) ? answers.get(token) : null;
  }

  static boolean isToken(String token) {
    return token != null && TOKEN.matcher(token).matches();
  }
}

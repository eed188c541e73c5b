package io.pomelo.sidecar.acme;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** STUB until the http01 branch merges. */
public final class HttpChallenges {
  private final Map<String, String> answers = new ConcurrentHashMap<>();

  public void put(String token, String keyAuthorization) {
    answers.put(token, keyAuthorization);
  }

  public void remove(String token) {
    answers.remove(token);
  }

  String answer(String token) {
    return answers.get(token);
  }
}

package io.pomelo.sidecar.master;

/**
 * The master answered the register message with {@code {code: -1}}: wrong username or password, no adminUser.json,
 * or this client id already registered. The message is the master's own ({@code msg}), which never holds the
 * password.
 */
public final class MasterRefusedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public MasterRefusedException(String message) {
    super(message);
  }
}

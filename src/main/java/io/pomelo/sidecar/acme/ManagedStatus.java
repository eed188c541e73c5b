package io.pomelo.sidecar.acme;

import java.time.Instant;
import java.util.List;

/**
 * What the admin API, the metrics and {@code check} show of an ordered certificate.
 *
 * @param names       the names ordered
 * @param directory   the CA's directory URL
 * @param state       {@code pending} (none yet: a self-signed stand-in is served), {@code valid}, {@code renewing}
 * @param notAfter    the stored certificate's expiry, or null when there is none
 * @param nextAttempt when the sidecar next orders or asks the CA, or null while an order runs
 * @param lastError   the last failure as the CA put it (problem type: detail), or null after a success
 * @param failures    failed orders since start
 */
public record ManagedStatus(List<String> names, String directory, String state, Instant notAfter,
                            Instant nextAttempt, String lastError, long failures) {

  public ManagedStatus {
    names = List.copyOf(names);
  }
}

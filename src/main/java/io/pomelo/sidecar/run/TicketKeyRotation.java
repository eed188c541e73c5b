package io.pomelo.sidecar.run;

import io.pomelo.sidecar.tls.TicketKey;
import io.pomelo.sidecar.tls.TicketKeyRing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;

/** Puts a read key file's session ticket keys in use when they differ from those in use, and says so by name only. */
final class TicketKeyRotation {

  private static final Logger LOG = LoggerFactory.getLogger(TicketKeyRotation.class);

  private TicketKeyRotation() {
  }

  /**
   * @param read the keys read, [] when no file is set, null when the file was bad (the keys in use stay)
   * @return whether the keys in use changed
   */
  static boolean use(TicketKeyRing ring, List<TicketKey> read, Path file) {
    if (read == null || read.equals(ring.keys())) {
      return false;
    }
    if (!read.isEmpty() && !TicketKeyRing.supported()) {
      LOG.warn("tls.sessionTicketKeys is set, but the JDK's TLS engine (BoringSSL did not load) cannot take shared"
        + " keys: sessions resume only on this sidecar");
      ring.use(read);
      return true;
    }
    ring.use(read);
    if (read.isEmpty()) {
      LOG.info("session ticket keys: a fresh key of this process's own (tls.sessionTicketKeys is not set)");
    } else {
      LOG.info("session ticket keys from {}: {} (sealing with {})", file, read.size(), read.get(0).name());
    }
    return true;
  }
}

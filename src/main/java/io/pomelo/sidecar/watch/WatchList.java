package io.pomelo.sidecar.watch;

import io.pomelo.sidecar.acme.ManagedCertificate;
import io.pomelo.sidecar.config.CertificateConfig;
import io.pomelo.sidecar.config.SidecarConfig;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The files whose change triggers a reload: servers.json, the environment directory's servers.json, and every
 * certificate, key and keystore, the ordered certificate's files, and the session ticket keys.
 *
 * @param files    every file to watch
 * @param optional those of them that may not exist (a missing one is not an error)
 */
public record WatchList(Set<Path> files, Set<Path> optional) {

  public WatchList {
    files = Set.copyOf(files);
    optional = Set.copyOf(optional);
  }

  /** What {@code config} reads, with servers.json found for {@code environment}. */
  public static WatchList of(SidecarConfig config, String environment) {
    Set<Path> files = new LinkedHashSet<>();
    Set<Path> optional = new LinkedHashSet<>();
    Path servers = config.pomelo().serversFile();
    files.add(servers);
    // The environment-directory layout: config/<env>/servers.json, read when config/servers.json is absent.
    Path parent = servers.toAbsolutePath().getParent();
    if (parent != null && !environment.isEmpty()) {
      Path byEnvironment = parent.resolve(environment).resolve(servers.getFileName());
      files.add(byEnvironment);
      optional.add(byEnvironment);
    }
    for (CertificateConfig c : config.tls().certificates()) {
      if (c.isPem()) {
        files.add(c.certFile());
        files.add(c.keyFile());
      } else {
        files.add(c.keystore());
      }
    }
    if (config.tls().acme() != null) {
      // The ordered certificate may be stored by another sidecar on the same state directory, or not yet exist.
      CertificateConfig ordered = ManagedCertificate.storedFiles(config.stateDir(), config.tls().acme());
      files.add(ordered.certFile());
      files.add(ordered.keyFile());
      optional.add(ordered.certFile());
      optional.add(ordered.keyFile());
    }
    if (config.tls().sessionTicketKeys() != null) {
      files.add(config.tls().sessionTicketKeys());
    }
    return new WatchList(files, optional);
  }
}

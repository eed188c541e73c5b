package io.pomelo.sidecar.state;

import io.pomelo.sidecar.master.MasterStatus;

import java.util.List;

/**
 * Following the Pomelo master, as the admin API shows it.
 *
 * @param status       the connection: address, state, last list, error
 * @param addedServers the routed servers that came from the master's list, not from servers.json, by id
 */
public record Following(MasterStatus status, List<String> addedServers) {

  public Following {
    addedServers = List.copyOf(addedServers);
  }

  public Following withStatus(MasterStatus next) {
    return new Following(next, addedServers);
  }

  public Following withAddedServers(List<String> next) {
    return new Following(status, next);
  }
}

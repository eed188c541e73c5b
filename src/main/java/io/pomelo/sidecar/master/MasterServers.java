package io.pomelo.sidecar.master;

import io.pomelo.sidecar.pomelo.FrontendServer;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The servers one answer of the master listed: those it has a live monitor connection to, whether they came from
 * servers.json, {@code pomelo add}, or an auto-restart. Equal lists are equal values, so a caller can drop an answer
 * that changes nothing.
 *
 * @param frontends   the frontend servers, by server type then id, as {@code curServer} describes each
 * @param liveIds     every server id listed, frontend, backend and the master itself, sorted
 * @param unusable    frontend servers left out, each with why ({@code "connector-9: frontend without a clientPort"})
 */
public record MasterServers(List<FrontendServer> frontends, List<String> liveIds, List<String> unusable) {

  public MasterServers {
    frontends = List.copyOf(frontends);
    liveIds = List.copyOf(liveIds);
    unusable = List.copyOf(unusable);
  }

  public Optional<FrontendServer> frontend(String id) {
    Objects.requireNonNull(id, "id");
    return frontends.stream().filter(server -> server.id().equals(id)).findFirst();
  }

  /** Whether the master listed {@code id} (of any type). */
  public boolean isLive(String id) {
    return liveIds.contains(id);
  }
}

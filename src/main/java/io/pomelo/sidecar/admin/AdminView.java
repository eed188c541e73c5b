package io.pomelo.sidecar.admin;

import io.pomelo.sidecar.acme.ManagedStatus;

import io.pomelo.sidecar.backend.LiveState;
import io.pomelo.sidecar.proxy.Refusals;
import io.pomelo.sidecar.proxy.Tunnels;
import io.pomelo.sidecar.state.ReloadOutcome;
import io.pomelo.sidecar.state.ReloadRequest;
import io.pomelo.sidecar.state.RunningState;
import io.vertx.core.Future;

import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the admin listener and the metrics may read and ask, and nothing of who runs the sidecar: one snapshot of
 * the running state per answer, the live counters beside it, and ways to ask for a reload and for a drain.
 *
 * @param state    the running state now; each answer reads it once
 * @param reload   asks for a reload and completes with its outcome
 * @param drain    begins the lame duck and the drain after it (once) and completes at once with the phase
 * @param live     counts per route and health per server, kept across reloads
 * @param tunnels  the open tunnels
 * @param refusals every client the public port turned away, by reason
 * @param ordered  the certificates of {@code tls.acme}, none without it
 */
public record AdminView(Supplier<RunningState> state, Function<ReloadRequest, Future<ReloadOutcome>> reload,
                        Supplier<Future<RunningState.Phase>> drain, LiveState live, Tunnels tunnels, Refusals refusals,
                        Supplier<List<ManagedStatus>> ordered) {
}

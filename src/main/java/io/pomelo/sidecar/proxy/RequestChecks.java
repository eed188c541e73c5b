package io.pomelo.sidecar.proxy;

import io.pomelo.sidecar.route.Route;
import io.vertx.core.http.HttpServerRequest;

/**
 * Every check a request passes before a Pomelo server is dialled, in the order that costs least: the connection's
 * own verdict (429, 503), the header count (431), the framing (400), the path (400), the upgrade's shape (400), the
 * WeChat origin (403), and once the route is known, whether it takes plain HTTP (426). Each refusal is counted in
 * {@link Refusals} and answered by {@link RefusalAnswer}, which closes the connection.
 */
final class RequestChecks {

  private final ConnectionGate gate;
  private final RequestLimits limits;
  private final WeChatOrigin wechat;
  private final Refusals refusals;

  RequestChecks(ConnectionGate gate, RequestLimits limits, WeChatOrigin wechat, Refusals refusals) {
    this.gate = gate;
    this.limits = limits;
    this.wechat = wechat;
    this.refusals = refusals;
  }

  /** Before the route is looked up; false when the request was answered here. */
  boolean admit(HttpServerRequest request) {
    Refusal verdict = gate.verdict(request);
    if (verdict != null && verdict.status() == 0) {
      // Counted when it was given (a PROXY header from an untrusted peer); the connection is closing already.
      request.connection().close();
      return false;
    }
    if (verdict != null) {
      return refuse(request, verdict, overLimit(verdict));
    }
    if (!limits.admit(request)) {
      return false;
    }
    String framing = RequestFraming.problem(request);
    if (framing != null) {
      return refuse(request, Refusal.BAD_FRAMING, "Bad Request: " + framing);
    }
    String path = RequestPath.problem(request.uri());
    if (path != null) {
      return refuse(request, Refusal.BAD_PATH, "Bad Request: " + path);
    }
    if (ClientUpgradeRequest.asksForUpgrade(request)) {
      String upgrade = ClientUpgradeRequest.problem(request);
      if (upgrade != null) {
        return refuse(request, Refusal.BAD_UPGRADE, "Bad Request: " + upgrade);
      }
      String origin = wechat.enabled() ? wechat.problem(request) : null;
      if (origin != null) {
        return refuse(request, Refusal.ORIGIN_NOT_ALLOWED, "Forbidden: " + origin);
      }
    }
    return true;
  }

  /** Once the route is known; false when the request was answered here. */
  boolean admit(HttpServerRequest request, Route route) {
    if (route.webSocketOnly() && !request.canUpgradeToWebSocket()) {
      return refuse(request, Refusal.UPGRADE_REQUIRED, "Upgrade Required: " + route.path()
        + " takes WebSocket connections only");
    }
    return true;
  }

  /** Counts {@code refusal} and answers it; returns false, what a refused check returns. */
  private boolean refuse(HttpServerRequest request, Refusal refusal, String why) {
    refusals.record(refusal);
    RefusalAnswer.send(request, refusal, why);
    return false;
  }

  private static String overLimit(Refusal verdict) {
    return switch (verdict) {
      case TOO_MANY_CONNECTIONS -> "Service Unavailable: too many connections";
      case TOO_MANY_FROM_ADDRESS -> "Too Many Requests: too many connections from your address";
      default -> "Too Many Requests: too many new connections from your address";
    };
  }
}

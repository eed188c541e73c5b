package io.pomelo.sidecar.pomelo;

import io.pomelo.sidecar.pomelo.JsValue.JsBoolean;
import io.pomelo.sidecar.pomelo.JsValue.JsNull;
import io.pomelo.sidecar.pomelo.JsValue.JsNumber;
import io.pomelo.sidecar.pomelo.JsValue.JsObject;
import io.pomelo.sidecar.pomelo.JsValue.JsString;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Picks the frontend servers out of Pomelo's server map and checks what the sidecar needs from each. A
 * server is frontend when {@code frontend} is {@code true} or {@code "true"}: Pomelo passes every field to
 * the server process as {@code frontend=true} text and {@code app.isFrontend()} compares with {@code 'true'}.
 */
final class FrontendServers {

  private FrontendServers() {
  }

  static List<FrontendServer> of(ServerMap servers, Findings findings) {
    List<FrontendServer> frontends = new ArrayList<>();
    List<ServerMap.Entry> frontendEntries = new ArrayList<>();
    for (ServerMap.Entry entry : servers.entries()) {
      JsObject server = entry.server();
      boolean frontend = isFrontend(server.get("frontend"));
      warnAboutWsPort(entry, frontend, findings);
      if (frontend) {
        int before = findings.problemCount();
        FrontendServer read = read(entry, findings);
        if (findings.problemCount() == before) {
          frontends.add(read);
          frontendEntries.add(entry);
        }
      }
    }
    warnAboutSharedAddresses(frontends, frontendEntries, findings);
    return frontends;
  }

  private static boolean isFrontend(JsValue frontend) {
    return frontend instanceof JsBoolean b && b.value()
      || frontend instanceof JsString s && s.value().equals("true");
  }

  /** Returns null, with the reasons in findings, when something the sidecar needs is missing or wrong. */
  private static FrontendServer read(ServerMap.Entry entry, Findings findings) {
    JsObject server = entry.server();
    String place = entry.place();
    String origin = entry.origin();

    String serverType = null;
    if (server.get("serverType") instanceof JsString s) {
      serverType = s.value();
    } else {
      findings.problem(JsonPlace.member(place, "serverType"), server.get("serverType").json(),
        "Pomelo's clusterCount turns a type name containing \"++\" into a number; rename the type" + origin);
    }

    String host = null;
    JsValue hostValue = server.get("host");
    if (hostValue instanceof JsString s && !s.value().isBlank()) {
      host = s.value();
    } else {
      findings.problem(JsonPlace.member(place, "host"), missingOrJson(hostValue),
        "a frontend server needs a host, the address Pomelo binds its connector to" + origin);
    }

    String clientHost = null;
    JsValue clientHostValue = server.get("clientHost");
    if (clientHostValue instanceof JsString s) {
      clientHost = s.value();
    } else if (clientHostValue != null && !(clientHostValue instanceof JsNull)) {
      findings.problem(JsonPlace.member(place, "clientHost"), clientHostValue.json(),
        "must be a host name or address (a string)" + origin);
    }

    int clientPort = 0;
    JsValue portValue = server.get("clientPort");
    String portPlace = JsonPlace.member(place, "clientPort");
    if (portValue == null || portValue instanceof JsNull) {
      findings.problem(portPlace, null, "a frontend server needs a clientPort, the port clients connect to" + origin);
    } else {
      clientPort = port(portValue);
      if (clientPort == 0) {
        findings.problem(portPlace, portValue.json(),
          "must be a whole number from 1 to 65535 (a number or a string of digits)" + origin);
      }
    }
    return serverType == null || host == null || clientPort == 0
      ? null
      : new FrontendServer(entry.id(), serverType, host, clientHost, clientPort);
  }

  /** 0 when not a port. Pomelo hands the text to the process, whose argument parser makes "3050" a number. */
  private static int port(JsValue value) {
    double port;
    if (value instanceof JsNumber n && n.isWholeNumber()) {
      port = n.value();
    } else if (value instanceof JsString s && s.value().matches("[0-9]{1,5}")) {
      port = Integer.parseInt(s.value());
    } else {
      return 0;
    }
    return port >= 1 && port <= 65535 ? (int) port : 0;
  }

  private static String missingOrJson(JsValue value) {
    return value == null || value instanceof JsNull ? null : value.json();
  }

  private static void warnAboutWsPort(ServerMap.Entry entry, boolean frontend, Findings findings) {
    JsValue wsPort = entry.server().get("wsPort");
    if (wsPort == null || !wsPort.truthy()) {
      return;
    }
    String place = JsonPlace.member(entry.place(), "wsPort");
    if (frontend) {
      findings.warn(place, "is deprecated and ignored; clients reach this server on its clientPort" + entry.origin());
    } else {
      findings.warn(place, "is deprecated and ignored, and without \"frontend\": true Pomelo starts no connector"
        + " here, so the sidecar exposes nothing for this server" + entry.origin());
    }
  }

  /** Two connectors on one address: Pomelo starts the first and the second fails with EADDRINUSE. */
  private static void warnAboutSharedAddresses(List<FrontendServer> frontends, List<ServerMap.Entry> entries,
                                               Findings findings) {
    Map<String, List<Integer>> byAddress = new LinkedHashMap<>();
    for (int i = 0; i < frontends.size(); i++) {
      FrontendServer f = frontends.get(i);
      byAddress.computeIfAbsent(f.host() + ":" + f.clientPort(), k -> new ArrayList<>()).add(i);
    }
    byAddress.forEach((address, indexes) -> {
      if (indexes.size() > 1) {
        String servers = indexes.stream()
          .map(i -> frontends.get(i).id() + " (" + entries.get(i).place() + ")")
          .collect(Collectors.joining(", "));
        findings.warn(entries.get(indexes.get(1)).place(),
          "frontend servers " + servers + " share host and clientPort " + address
            + "; Pomelo can start only one of them");
      }
    });
  }
}

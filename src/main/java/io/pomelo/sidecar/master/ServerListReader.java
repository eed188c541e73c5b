package io.pomelo.sidecar.master;

import io.pomelo.sidecar.pomelo.FrontendServer;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Reads the master's live server list: {@code __console__ {signal: 'list'}} (what {@code pomelo list} sends) names
 * every server with a monitor connected, with serverType and pid but no address; {@code watchServer
 * {comd: 'get', context: <id>, param: 'curServer'}} then gives that server's own record. A record cannot change
 * while its process lives, so it is asked once per (id, pid) and remembered. pomelo-admin's list waits up to 10 s
 * (TIME_WAIT_COUNTDOWN) for every monitor and then answers without the ones that stayed silent.
 *
 * <p>Not thread-safe: one poller uses it, on one context.
 */
final class ServerListReader {

  static final String CONSOLE = "__console__";
  static final String WATCH_SERVER = "watchServer";

  /** What list said about one server: a record is reused only while both still hold. */
  private record Listed(String id, String serverType, Object pid) {
  }

  private record Known(Listed listed, JsonObject curServer) {
  }

  private final Map<String, Known> known = new HashMap<>();

  Future<MasterServers> read(MasterConsoleClient client, Duration timeout) {
    return client.request(CONSOLE, new JsonObject().put("signal", "list"), timeout).compose(body -> {
      List<Listed> listed = listed(body);
      known.keySet().retainAll(listed.stream().map(Listed::id).collect(Collectors.toSet()));
      List<Future<?>> lookups = new ArrayList<>();
      for (Listed server : listed) {
        Known already = known.get(server.id());
        // The master's own record is master.json's: never a frontend.
        if ((already == null || !already.listed().equals(server)) && !"master".equals(server.serverType())) {
          lookups.add(client.request(WATCH_SERVER, new JsonObject().put("comd", "get").put("context", server.id())
            .put("param", "curServer"), timeout).onSuccess(record -> {
              // No record: the server left between the two requests (the master answers an unknown id with nothing).
              if (record instanceof JsonObject curServer) {
                known.put(server.id(), new Known(server, curServer));
              }
            }));
        }
      }
      return Future.join(lookups).transform(done -> {
        // One server that does not answer its curServer must not hide all the others: it is looked up again
        // next time. A failed list, on the other hand, fails the read.
        return Future.succeededFuture(servers(listed));
      });
    });
  }

  private MasterServers servers(List<Listed> listed) {
    List<FrontendServer> frontends = new ArrayList<>();
    List<String> unusable = new ArrayList<>();
    for (Listed server : listed) {
      Known record = known.get(server.id());
      if (record == null || !isFrontend(record.curServer().getValue("frontend"))) {
        continue;
      }
      JsonObject curServer = record.curServer();
      String host = curServer.getValue("host") instanceof String s && !s.isBlank() ? s : null;
      String clientHost = curServer.getValue("clientHost") instanceof String s && !s.isBlank() ? s : null;
      int clientPort = port(curServer.getValue("clientPort"));
      if (host == null) {
        unusable.add(server.id() + ": frontend without a host");
      } else if (clientPort == 0) {
        unusable.add(server.id() + ": frontend without a clientPort (" + curServer.getValue("clientPort") + ")");
      } else {
        frontends.add(new FrontendServer(server.id(), server.serverType(), host, clientHost, clientPort));
      }
    }
    frontends.sort(Comparator.comparing(FrontendServer::serverType).thenComparing(FrontendServer::id));
    List<String> liveIds = listed.stream().map(Listed::id).sorted().toList();
    return new MasterServers(frontends, liveIds, unusable);
  }

  /** {@code body.msg}: an object of server id to {serverId, serverType, pid, rss, heapTotal, heapUsed, uptime}. */
  private static List<Listed> listed(Object body) {
    if (!(body instanceof JsonObject answer) || !(answer.getValue("msg") instanceof JsonObject servers)) {
      throw new IllegalStateException("the master's list answer has no msg object: " + abbreviated(body));
    }
    List<Listed> listed = new ArrayList<>();
    for (String id : servers.fieldNames()) {
      Object entry = servers.getValue(id);
      if (entry instanceof JsonObject server) {
        String serverType = server.getValue("serverType") instanceof String s ? s : "";
        listed.add(new Listed(id, serverType, server.getValue("pid")));
      }
    }
    return listed;
  }

  /** Pomelo's {@code app.isFrontend()} is {@code frontend === 'true'}; servers.json may say {@code true}. */
  static boolean isFrontend(Object frontend) {
    return Boolean.TRUE.equals(frontend) || "true".equals(frontend);
  }

  /** Pomelo's argument parser makes {@code clientPort=3052} a number; a string of digits is taken too. */
  static int port(Object value) {
    long port = 0;
    if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
      port = n.longValue();
    } else if (value instanceof String s && s.matches("[0-9]{1,5}")) {
      port = Long.parseLong(s);
    }
    return port >= 1 && port <= 65535 ? (int) port : 0;
  }

  private static String abbreviated(Object value) {
    String text = Objects.toString(value);
    return text.length() <= 120 ? text : text.substring(0, 117) + "...";
  }
}

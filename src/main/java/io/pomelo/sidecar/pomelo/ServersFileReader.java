package io.pomelo.sidecar.pomelo;

import io.pomelo.sidecar.config.ConfigException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Placeholder until the full reader lands: nested or flat layout, frontend servers with a clientPort. */
public final class ServersFileReader {

  private ServersFileReader() {
  }

  public static ServersFile read(Path path, String environment) throws ConfigException {
    try {
      JsonObject root = new JsonObject(Files.readString(path));
      JsonObject servers = root.getValue(environment) instanceof JsonObject env ? env : root;
      List<FrontendServer> frontends = new ArrayList<>();
      int count = 0;
      for (String type : servers.fieldNames()) {
        JsonArray list = servers.getJsonArray(type);
        for (int i = 0; i < list.size(); i++) {
          JsonObject s = list.getJsonObject(i);
          count++;
          if (String.valueOf(s.getValue("frontend")).equals("true") && s.getValue("clientPort") != null) {
            frontends.add(new FrontendServer(s.getString("id"), type, s.getString("host"), s.getString("clientHost"),
              Integer.parseInt(String.valueOf(s.getValue("clientPort")))));
          }
        }
      }
      return new ServersFile(path, environment, frontends, count, List.of(), "");
    } catch (IOException | RuntimeException e) {
      throw new ConfigException(path.toString(), "", null, "cannot be read: " + e.getMessage());
    }
  }
}

package io.pomelo.sidecar.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code routes}: what a running sidecar serves right now, with each server's health and the live counts, read
 * from its admin API. Where {@code check} shows what the files say, this shows what the process does.
 */
@Command(name = "routes", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
  description = "Print the running sidecar's routes with health and live counts, from its admin API.")
final class RoutesCommand implements Callable<Integer> {

  static final String TOKEN_ENV = "POMELO_SIDECAR_ADMIN_TOKEN";

  @Option(names = "--admin", paramLabel = "URL", defaultValue = "http://127.0.0.1:9090",
    description = "The admin API. Default: ${DEFAULT-VALUE}.")
  String admin;

  @Option(names = "--token", paramLabel = "TOKEN",
    description = "The admin token, when the sidecar has one. Default: the environment variable " + TOKEN_ENV + ".")
  String token;

  @Option(names = "--json", description = "Print GET /api/routes as it answers.")
  boolean json;

  @Option(names = "--server-type", paramLabel = "TYPE", description = "Only the routes of this Pomelo server type.")
  String serverType;

  @Spec
  CommandSpec spec;

  /** Read through this rather than System.getenv, so tests can set it. */
  java.util.Map<String, String> env = System.getenv();

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String bearer = token != null ? token : env.get(TOKEN_ENV);
    String base = admin.endsWith("/") ? admin.substring(0, admin.length() - 1) : admin;
    URI uri;
    try {
      uri = URI.create(base + "/api/routes" + (serverType == null ? ""
        : "?serverType=" + java.net.URLEncoder.encode(serverType, java.nio.charset.StandardCharsets.UTF_8)));
    } catch (IllegalArgumentException e) {
      err.println("--admin " + admin + ": not a URL (" + e.getMessage() + ")");
      err.flush();
      return 2;
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET();
    if (bearer != null && !bearer.isEmpty()) {
      request.header("Authorization", "Bearer " + bearer);
    }
    HttpResponse<String> response;
    try {
      response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
        .send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      err.println("cannot reach the admin API at " + base + ": " + e);
      err.println("is the sidecar running, and is admin.host/admin.port what --admin says?");
      err.flush();
      return 1;
    }
    if (response.statusCode() != 200) {
      err.println(base + " answered " + response.statusCode() + ": " + message(response.body()));
      if (response.statusCode() == 401) {
        err.println("the admin API needs its token: --token TOKEN, or the environment variable " + TOKEN_ENV);
      }
      err.flush();
      return 1;
    }
    JsonArray routes = new JsonArray(response.body());
    out.print(json ? routes.encodePrettily() + "\n" : LiveRouteText.render(routes));
    out.flush();
    return 0;
  }

  private static String message(String body) {
    try {
      return new JsonObject(body).getString("error", body);
    } catch (DecodeException | ClassCastException e) {
      return body;
    }
  }
}

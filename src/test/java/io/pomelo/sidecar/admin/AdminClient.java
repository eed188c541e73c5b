package io.pomelo.sidecar.admin;

import io.pomelo.sidecar.testing.Await;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;


/** Plain HTTP to an admin listener, as curl would do it; kept in a field so Vert.x does not close it early. */
public final class AdminClient {

  /** One answer, whole. */
  public record Answer(int status, MultiMap headers, Buffer body) {

    public JsonObject json() {
      return new JsonObject(body);
    }

    public JsonArray array() {
      return new JsonArray(body);
    }

    public String text() {
      return body.toString();
    }

    public String contentType() {
      return headers.get("Content-Type");
    }
  }

  private final HttpClient http;
  private final String host;
  private final int port;
  private final String token;

  public AdminClient(Vertx vertx, int port, String token) {
    this(vertx, "127.0.0.1", port, token);
  }

  public AdminClient(Vertx vertx, String host, int port, String token) {
    this.http = vertx.createHttpClient();
    this.host = host;
    this.port = port;
    this.token = token;
  }

  public Answer get(String uri) throws Exception {
    return send(HttpMethod.GET, uri, token);
  }

  public Answer send(HttpMethod method, String uri, String bearer) throws Exception {
    RequestOptions options = new RequestOptions().setMethod(method).setHost(host).setPort(port).setURI(uri);
    if (bearer != null) {
      options.putHeader("Authorization", "Bearer " + bearer);
    }
    return Await.await(http.request(options)
      .compose(req -> req.send().compose(resp -> resp.body()
        .map(body -> new Answer(resp.statusCode(), MultiMap.caseInsensitiveMultiMap().addAll(resp.headers()),
          body)))));
  }
}

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
final class AdminClient {

  /** One answer, whole. */
  record Answer(int status, MultiMap headers, Buffer body) {

    JsonObject json() {
      return new JsonObject(body);
    }

    JsonArray array() {
      return new JsonArray(body);
    }

    String text() {
      return body.toString();
    }

    String contentType() {
      return headers.get("Content-Type");
    }
  }

  private final HttpClient http;
  private final String host;
  private final int port;
  private final String token;

  AdminClient(Vertx vertx, int port, String token) {
    this(vertx, "127.0.0.1", port, token);
  }

  AdminClient(Vertx vertx, String host, int port, String token) {
    this.http = vertx.createHttpClient();
    this.host = host;
    this.port = port;
    this.token = token;
  }

  Answer get(String uri) throws Exception {
    return send(HttpMethod.GET, uri, token);
  }

  Answer send(HttpMethod method, String uri, String bearer) throws Exception {
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

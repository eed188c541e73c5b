package io.pomelo.sidecar.e2e;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Pomelo client over a Vert.x WebSocket, speaking what pomelo's hybridconnector expects from
 * pomelo-jsclient-websocket: handshake, handshake ack, heartbeats, requests, notifies and pushes,
 * with string routes and JSON bodies (the server must run with {@code useDict} and
 * {@code useProtobuf} off).
 *
 * <p>Handlers run on the WebSocket's event loop; the other methods may be called from any thread.
 */
public final class PomeloClient {

  /** How long {@link #request} waits for its response before failing. */
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  /** How long {@link #connect} waits for the server's handshake. */
  public static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

  private static final JsonObject HANDSHAKE = new JsonObject()
    .put("sys", new JsonObject().put("type", "java-vertx").put("version", "0.1.0"))
    .put("user", new JsonObject());

  private final Vertx vertx;
  private final WebSocketClient webSocketClient;
  private final WebSocket webSocket;
  private final Promise<Void> handshaken = Promise.promise();
  private final Promise<Void> closed = Promise.promise();
  private final AtomicInteger nextRequestId = new AtomicInteger(1);
  private final Map<Integer, Promise<JsonObject>> pendingRequests = new ConcurrentHashMap<>();
  private final Map<String, List<Handler<JsonObject>>> pushHandlers = new ConcurrentHashMap<>();
  private final Map<String, Queue<Promise<JsonObject>>> pushWaiters = new ConcurrentHashMap<>();
  private final AtomicInteger heartbeatsReceived = new AtomicInteger();
  // Only touched on the WebSocket's event loop.
  private long heartbeatIntervalMillis;
  private long heartbeatTimer = -1;
  private volatile String kickReason;

  private PomeloClient(Vertx vertx, WebSocketClient webSocketClient, WebSocket webSocket) {
    this.vertx = vertx;
    this.webSocketClient = webSocketClient;
    this.webSocket = webSocket;
  }

  /** Connects with default options: enough for ws:// to a Pomelo connector or a trusted wss://. */
  public static Future<PomeloClient> connect(Vertx vertx, URI uri) {
    return connect(vertx, uri, new WebSocketClientOptions(), MultiMap.caseInsensitiveMultiMap());
  }

  public static Future<PomeloClient> connect(Vertx vertx, URI uri, WebSocketClientOptions options) {
    return connect(vertx, uri, options, MultiMap.caseInsensitiveMultiMap());
  }

  /**
   * Opens the WebSocket and completes once Pomelo's handshake is done, so requests can be sent at once.
   *
   * @param uri     {@code ws://host:port/path} or {@code wss://…}; the path is sent as is (the sidecar
   *                routes on it, Pomelo ignores it)
   * @param options client options; TLS comes from the URI's scheme, the trust settings from here
   * @param headers extra upgrade request headers (e.g. {@code X-Real-IP} to play a proxy)
   */
  public static Future<PomeloClient> connect(Vertx vertx, URI uri, WebSocketClientOptions options,
                                             MultiMap headers) {
    WebSocketConnectOptions connectOptions;
    try {
      connectOptions = connectOptions(uri).setHeaders(headers);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    WebSocketClient webSocketClient = vertx.createWebSocketClient(options);
    return webSocketClient.connect(connectOptions)
      .compose(webSocket -> new PomeloClient(vertx, webSocketClient, webSocket).handshake())
      .recover(failure -> webSocketClient.close().transform(ignored -> Future.failedFuture(
        new IllegalStateException("Pomelo connect to " + uri + " failed: " + failure.getMessage(), failure))));
  }

  /** Options that accept any server certificate: for tests against a self-signed sidecar only. */
  public static WebSocketClientOptions trustAllOptions() {
    return new WebSocketClientOptions().setTrustAll(true).setVerifyHost(false);
  }

  /** Sends a request and completes with the handler's response body. */
  public Future<JsonObject> request(String route, JsonObject body) {
    int id = nextRequestId.getAndIncrement();
    Promise<JsonObject> response = Promise.promise();
    pendingRequests.put(id, response);
    send(new PomeloMessage(PomeloMessage.TYPE_REQUEST, id, route, body.toBuffer()))
      .onFailure(failure -> failRequest(id, failure));
    return response.future()
      .timeout(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
      .onFailure(failure -> pendingRequests.remove(id));
  }

  /** Sends a notify: a request that gets no response. */
  public Future<Void> notify(String route, JsonObject body) {
    return send(new PomeloMessage(PomeloMessage.TYPE_NOTIFY, 0, route, body.toBuffer()));
  }

  /** Calls {@code handler} for every push on {@code route} from now on. */
  public PomeloClient onPush(String route, Handler<JsonObject> handler) {
    pushHandlers.computeIfAbsent(route, r -> new CopyOnWriteArrayList<>()).add(handler);
    return this;
  }

  /**
   * The next push on {@code route} that arrives after this call; call it before the request that
   * causes the push, as pushes nobody waits for are not kept.
   */
  public Future<JsonObject> nextPush(String route) {
    Promise<JsonObject> push = Promise.promise();
    pushWaiters.computeIfAbsent(route, r -> new ConcurrentLinkedQueue<>()).add(push);
    return push.future();
  }

  /** The interval the server asked for in its handshake (zero when it wants no heartbeats). */
  public Duration heartbeatInterval() {
    return Duration.ofMillis(heartbeatIntervalMillis);
  }

  /** Heartbeat packages received from the server so far. */
  public int heartbeatsReceived() {
    return heartbeatsReceived.get();
  }

  /** The reason the server gave in a kick package, or null when it did not kick this client. */
  public String kickReason() {
    return kickReason;
  }

  /** Completes when the WebSocket has closed, from either side. */
  public Future<Void> closed() {
    return closed.future();
  }

  /** The close frame's status code once closed (1001 from a sidecar that stops), or null without one. */
  public Short closeStatus() {
    return webSocket.closeStatusCode();
  }

  public boolean isClosed() {
    return closed.future().isComplete();
  }

  /** Closes the WebSocket and releases the underlying WebSocket client. */
  public Future<Void> close() {
    return webSocket.close()
      .transform(ignored -> closed.future())
      .eventually(webSocketClient::close);
  }

  private static WebSocketConnectOptions connectOptions(URI uri) {
    String scheme = uri.getScheme();
    boolean ssl;
    if ("ws".equalsIgnoreCase(scheme)) {
      ssl = false;
    } else if ("wss".equalsIgnoreCase(scheme)) {
      ssl = true;
    } else {
      throw new IllegalArgumentException("Pomelo URI must be ws:// or wss://, was " + uri);
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("Pomelo URI has no host: " + uri);
    }
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
    return new WebSocketConnectOptions()
      .setHost(uri.getHost())
      .setPort(uri.getPort() != -1 ? uri.getPort() : ssl ? 443 : 80)
      .setSsl(ssl)
      .setURI(path + query);
  }

  private Future<PomeloClient> handshake() {
    webSocket.binaryMessageHandler(this::onMessage);
    webSocket.textMessageHandler(text -> fail(new IllegalStateException("Pomelo never sends text, got: " + text)));
    webSocket.exceptionHandler(this::fail);
    webSocket.closeHandler(ignored -> onClosed());
    webSocket.writeBinaryMessage(new PomeloPackage(PomeloPackage.TYPE_HANDSHAKE, HANDSHAKE.toBuffer()).encode())
      .onFailure(this::fail);
    return handshaken.future()
      .timeout(HANDSHAKE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
      .map(this)
      .onFailure(failure -> webSocket.close());
  }

  private void onMessage(Buffer message) {
    List<PomeloPackage> packages;
    try {
      packages = PomeloPackage.decodeAll(message);
    } catch (IllegalArgumentException e) {
      fail(e);
      return;
    }
    for (PomeloPackage pkg : packages) {
      switch (pkg.type()) {
        case PomeloPackage.TYPE_HANDSHAKE -> onHandshake(pkg.body().toJsonObject());
        case PomeloPackage.TYPE_HEARTBEAT -> onHeartbeat();
        case PomeloPackage.TYPE_DATA -> onData(pkg.body());
        case PomeloPackage.TYPE_KICK -> onKick(pkg.body());
        default -> fail(new IllegalStateException("unexpected package type from server: " + pkg.type()));
      }
    }
  }

  private void onHandshake(JsonObject response) {
    int code = response.getInteger("code", 0);
    if (code != 200) {
      handshaken.tryFail(new IllegalStateException("Pomelo refused the handshake: " + response.encode()));
      return;
    }
    JsonObject sys = response.getJsonObject("sys", new JsonObject());
    heartbeatIntervalMillis = TimeUnit.SECONDS.toMillis(sys.getLong("heartbeat", 0L));
    webSocket.writeBinaryMessage(PomeloPackage.of(PomeloPackage.TYPE_HANDSHAKE_ACK).encode())
      .onComplete(handshaken);
  }

  // The server sends a heartbeat after the ack and one in reply to each of ours, and closes the
  // connection when ours stop for two intervals; answering each one an interval later keeps the
  // rhythm pomelo-jsclient-websocket has.
  private void onHeartbeat() {
    heartbeatsReceived.incrementAndGet();
    if (heartbeatIntervalMillis <= 0 || heartbeatTimer != -1 || isClosed()) {
      return;
    }
    heartbeatTimer = vertx.setTimer(heartbeatIntervalMillis, id -> {
      heartbeatTimer = -1;
      if (!isClosed()) {
        webSocket.writeBinaryMessage(PomeloPackage.of(PomeloPackage.TYPE_HEARTBEAT).encode());
      }
    });
  }

  private void onData(Buffer body) {
    PomeloMessage message;
    JsonObject json;
    try {
      message = PomeloMessage.decode(body);
      json = message.body().length() == 0 ? new JsonObject() : message.body().toJsonObject();
    } catch (RuntimeException e) {
      fail(new IllegalStateException("undecodable data package from server", e));
      return;
    }
    switch (message.type()) {
      case PomeloMessage.TYPE_RESPONSE -> {
        Promise<JsonObject> response = pendingRequests.remove(message.id());
        if (response != null) {
          response.tryComplete(json);
        }
      }
      case PomeloMessage.TYPE_PUSH -> onPush(message.route(), json);
      default -> fail(new IllegalStateException("server sent a message of client type " + message.type()));
    }
  }

  private void onPush(String route, JsonObject body) {
    for (Handler<JsonObject> handler : pushHandlers.getOrDefault(route, List.of())) {
      handler.handle(body);
    }
    Queue<Promise<JsonObject>> waiters = pushWaiters.get(route);
    Promise<JsonObject> waiter = waiters == null ? null : waiters.poll();
    if (waiter != null) {
      waiter.tryComplete(body);
    }
  }

  private void onKick(Buffer body) {
    String reason = body.length() == 0 ? "" : body.toJsonObject().getString("reason", "");
    kickReason = reason;
  }

  private Future<Void> send(PomeloMessage message) {
    if (isClosed()) {
      return Future.failedFuture(new IllegalStateException("Pomelo connection is closed"));
    }
    return webSocket.writeBinaryMessage(new PomeloPackage(PomeloPackage.TYPE_DATA, message.encode()).encode());
  }

  private void failRequest(int id, Throwable failure) {
    Promise<JsonObject> response = pendingRequests.remove(id);
    if (response != null) {
      response.tryFail(failure);
    }
  }

  private void fail(Throwable failure) {
    handshaken.tryFail(failure);
    if (!webSocket.isClosed()) {
      webSocket.close();
    }
  }

  private void onClosed() {
    if (heartbeatTimer != -1) {
      vertx.cancelTimer(heartbeatTimer);
      heartbeatTimer = -1;
    }
    IllegalStateException closedFailure = new IllegalStateException("Pomelo connection closed"
      + (kickReason != null ? " after a kick: " + kickReason : ""));
    handshaken.tryFail(closedFailure);
    pendingRequests.keySet().forEach(id -> failRequest(id, closedFailure));
    pushWaiters.values().forEach(waiters -> {
      for (Promise<JsonObject> waiter; (waiter = waiters.poll()) != null; ) {
        waiter.tryFail(closedFailure);
      }
    });
    closed.tryComplete();
  }
}

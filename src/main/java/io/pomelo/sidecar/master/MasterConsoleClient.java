package io.pomelo.sidecar.master;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import io.vertx.mqtt.messages.MqttPublishMessage;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One logged-in connection to a Pomelo master's admin console (pomelo-admin 1.0.1's MasterAgent), the way Pomelo's
 * own CLI talks to it: MQTT CONNECT, a PUBLISH on topic {@code register} with
 * {@code {type: 'client', id, username, password, md5}} answered on {@code register} by {@code {code: 1}} or
 * {@code {code: -1, msg}}, then requests as PUBLISH on {@code client} with {@code {reqId, moduleId, body}}, answered
 * on {@code client} by {@code {respId, error, body}}.
 *
 * <p>What pomelo-admin's MQTT server does, which shapes the options here: it accepts any protocol level 3 or 4 and
 * any client id and always answers CONNACK 0; it never answers SUBSCRIBE or a QoS 1 PUBLISH, and publishes to a
 * client whether or not it subscribed, so everything here is QoS 0 with no subscription. It answers PINGREQ. After
 * refusing a login it sends DISCONNECT, a packet MQTT 3.1.1 only lets clients send (vertx-mqtt reports it as an
 * exception; the refusal has been read by then). Its answers on {@code client} are JSON-encoded twice (a JSON string
 * holding the JSON), register answers once.
 *
 * <p>Every method may be called from any thread; handlers and futures complete on the context that connected.
 */
public final class MasterConsoleClient {

  /** The register id must differ from every other client logged in (the master refuses a second one). */
  private static final AtomicLong CONNECTIONS = new AtomicLong();
  /** Netty's MQTT decoder stops at 8 KiB by default; a 100-server list answer is about 20 KiB. */
  static final int MAX_MESSAGE_SIZE = 4 * 1024 * 1024;

  private final Vertx vertx;
  private final Context context;
  private final MqttClient mqtt;
  private final MasterEndpoint endpoint;
  private final String registerId;
  private final Map<Long, Pending> pending = new HashMap<>();
  private long nextReqId = 1;
  private Promise<Void> registered;
  private Consumer<Throwable> closeHandler = cause -> {
  };
  private boolean closed;

  private record Pending(Promise<Object> answer, long timer) {
  }

  private MasterConsoleClient(Vertx vertx, Context context, MasterEndpoint endpoint, Duration keepAlive) {
    this.vertx = vertx;
    this.context = context;
    this.endpoint = endpoint;
    this.registerId = "pomelo-sidecar-" + ProcessHandle.current().pid() + "-" + CONNECTIONS.incrementAndGet();
    MqttClientOptions options = new MqttClientOptions()
      .setClientId(registerId)
      .setCleanSession(true)
      .setKeepAliveInterval((int) Math.max(1, keepAlive.toSeconds()))
      .setAutoKeepAlive(true)
      .setMaxMessageSize(MAX_MESSAGE_SIZE);
    options.setConnectTimeout((int) Math.min(Integer.MAX_VALUE, keepAlive.toMillis()));
    this.mqtt = MqttClient.create(vertx, options);
  }

  /**
   * Connects and logs in; fails with {@link MasterRefusedException} when the master refuses the credentials, or
   * with the connection's failure, or when the master has not answered the login within {@code timeout}.
   *
   * @param timeout how long connecting and logging in may take; also the MQTT keep-alive
   */
  public static Future<MasterConsoleClient> connect(Vertx vertx, MasterEndpoint endpoint, Duration timeout) {
    Objects.requireNonNull(endpoint, "endpoint");
    Context context = vertx.getOrCreateContext();
    Promise<MasterConsoleClient> connected = Promise.promise();
    context.runOnContext(v -> {
      MasterConsoleClient client = new MasterConsoleClient(vertx, context, endpoint, timeout);
      client.login(timeout).onComplete(done -> {
        if (done.succeeded()) {
          connected.complete(client);
        } else {
          client.close();
          connected.fail(done.cause());
        }
      });
    });
    return connected.future();
  }

  /** The id this connection registered with (the master logs it); unique per connection. */
  public String registerId() {
    return registerId;
  }

  public MasterEndpoint endpoint() {
    return endpoint;
  }

  /**
   * Called once, on the client's context, when the connection ends other than by {@link #close()}: the master
   * closed it or went away.
   */
  public MasterConsoleClient closeHandler(Consumer<Throwable> handler) {
    this.closeHandler = Objects.requireNonNull(handler, "handler");
    return this;
  }

  /**
   * Sends {@code {reqId, moduleId, body}} on topic {@code client}.
   *
   * @return the answer's {@code body} (a JsonObject, JsonArray, String, Number, Boolean, or null), or a failure
   *         carrying the answer's {@code error}, or a timeout: a module that asks a server which never answers
   *         (watchServer) leaves the master silent
   */
  public Future<Object> request(String moduleId, JsonObject body, Duration timeout) {
    Promise<Object> answer = Promise.promise();
    context.runOnContext(v -> {
      if (closed) {
        answer.fail(new IllegalStateException("the connection to the master at " + endpoint.address() + " is closed"));
        return;
      }
      // reqId 0 would be falsy: pomelo-admin would take the request for a notify and never answer.
      long reqId = nextReqId++;
      long timer = vertx.setTimer(Math.max(1, timeout.toMillis()), t -> {
        Pending expired = pending.remove(reqId);
        if (expired != null) {
          expired.answer().tryFail(new java.util.concurrent.TimeoutException("the master at " + endpoint.address()
            + " did not answer " + moduleId + " within " + timeout.toMillis() + " ms"));
        }
      });
      pending.put(reqId, new Pending(answer, timer));
      JsonObject request = new JsonObject().put("reqId", reqId).put("moduleId", moduleId).put("body", body);
      mqtt.publish("client", request.toBuffer(), MqttQoS.AT_MOST_ONCE, false, false).onFailure(cause -> {
        Pending failed = pending.remove(reqId);
        if (failed != null) {
          vertx.cancelTimer(failed.timer());
          failed.answer().tryFail(cause);
        }
      });
    });
    return answer.future();
  }

  /** The master's server list read once, for a one-off look ({@code check}); a follower keeps its own reader. */
  public Future<MasterServers> servers(Duration timeout) {
    return new ServerListReader().read(this, timeout);
  }

  /** Ends the connection; pending requests fail. The close handler is not called. */
  public Future<Void> close() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      if (closed) {
        done.complete();
        return;
      }
      closed = true;
      failPending(new IllegalStateException("the connection to the master at " + endpoint.address() + " was closed"));
      if (mqtt.isConnected()) {
        // DISCONNECT then the TCP close; pomelo-admin drops its record of the client on either.
        mqtt.disconnect().onComplete(d -> done.complete());
      } else {
        done.complete();
      }
    });
    return done.future();
  }

  private Future<Void> login(Duration timeout) {
    registered = Promise.promise();
    long timer = vertx.setTimer(Math.max(1, timeout.toMillis()), t -> registered.tryFail(
      new java.util.concurrent.TimeoutException("the master at " + endpoint.address()
        + " did not answer the login within " + timeout.toMillis() + " ms")));
    mqtt.publishHandler(this::onPublish);
    mqtt.exceptionHandler(cause -> {
      // The DISCONNECT after a refusal lands here; any other decoding trouble ends the connection.
      if (!closed && registered.future().succeeded()) {
        ended(cause);
      }
    });
    mqtt.closeHandler(v -> ended(new IllegalStateException("the master at " + endpoint.address()
      + " closed the connection")));
    return mqtt.connect(endpoint.port(), endpoint.host())
      .recover(cause -> Future.failedFuture(new IllegalStateException("cannot connect to the master at "
        + endpoint.address() + ": " + describe(cause), cause)))
      .compose(connack -> {
        JsonObject register = new JsonObject()
          .put("type", "client")
          .put("id", registerId)
          .put("username", endpoint.credentials().username())
          .put("password", endpoint.credentials().passwordToSend())
          .put("md5", endpoint.credentials().md5());
        return mqtt.publish("register", register.toBuffer(), MqttQoS.AT_MOST_ONCE, false, false);
      })
      .compose(sent -> registered.future())
      .onComplete(done -> vertx.cancelTimer(timer));
  }

  private void onPublish(MqttPublishMessage message) {
    Object decoded;
    try {
      decoded = decode(message.payload());
    } catch (DecodeException e) {
      return;
    }
    if (!(decoded instanceof JsonObject answer)) {
      return;
    }
    switch (message.topicName()) {
      case "register" -> {
        Number code = answer.getValue("code") instanceof Number n ? n : null;
        if (code != null && code.intValue() == 1) {
          registered.tryComplete();
        } else {
          String why = answer.getValue("msg") instanceof String s ? s : "no reason given";
          registered.tryFail(new MasterRefusedException("the master at " + endpoint.address() + " refused user \""
            + endpoint.credentials().username() + "\": " + why));
        }
      }
      case "client" -> {
        if (!(answer.getValue("respId") instanceof Number respId)) {
          return; // a notify (moduleId, no respId): nothing here asks for them
        }
        Pending waiting = pending.remove(respId.longValue());
        if (waiting == null) {
          return;
        }
        vertx.cancelTimer(waiting.timer());
        Object error = answer.getValue("error");
        if (error != null && !Boolean.FALSE.equals(error)) {
          waiting.answer().tryFail(new IllegalStateException("the master answered with an error: "
            + errorText(error)));
        } else {
          waiting.answer().tryComplete(answer.getValue("body"));
        }
      }
      default -> {
      }
    }
  }

  private void ended(Throwable cause) {
    if (closed) {
      return;
    }
    closed = true;
    registered.tryFail(cause);
    failPending(cause);
    closeHandler.accept(cause);
  }

  private void failPending(Throwable cause) {
    for (Pending waiting : pending.values()) {
      vertx.cancelTimer(waiting.timer());
      waiting.answer().tryFail(cause);
    }
    pending.clear();
  }

  /** The payload as JSON, decoded a second time when it is a JSON string holding JSON (pomelo-admin's answers). */
  static Object decode(Buffer payload) {
    Object value = Json.decodeValue(payload);
    if (value instanceof String text) {
      String trimmed = text.trim();
      if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
        return Json.decodeValue(trimmed);
      }
    }
    return value;
  }

  /** pomelo-admin sends an Error as {@code {message, stack}}; modules also answer plain strings. */
  static String errorText(Object error) {
    if (error instanceof JsonObject object && object.getValue("message") instanceof String message) {
      return message;
    }
    return String.valueOf(error);
  }

  /** A failure in words: its message, or its type when it has none (Netty's timeouts). */
  public static String describe(Throwable cause) {
    String message = cause.getMessage();
    return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
  }
}

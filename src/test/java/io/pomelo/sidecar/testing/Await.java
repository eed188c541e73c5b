package io.pomelo.sidecar.testing;

import io.vertx.core.Future;
import io.vertx.core.http.WebSocket;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waiting in tests: on futures and events, or by polling a condition with a deadline; never a bare sleep. */
public final class Await {

  /** Long enough for a loaded 2-core CI machine; a passing test never waits for it. */
  public static final long SECONDS = 15;

  private Await() {
  }

  /** The future's value, or its failure rethrown as it is (a ConfigException stays a ConfigException). */
  public static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  /** The value a test's own handler completes, or that handler's failure rethrown as it is. */
  public static <T> T await(CompletableFuture<T> future) throws Exception {
    try {
      return future.get(SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  /** Polls a condition the code under test reaches asynchronously, until it holds or the deadline passes. */
  public static boolean eventually(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(5);
    }
    return condition.getAsBoolean();
  }

  /** Like {@link #eventually}, but fails the test when the deadline passes. */
  public static void until(BooleanSupplier condition) throws InterruptedException {
    until("the condition", condition);
  }

  /** Like {@link #eventually}, but fails the test, naming {@code what}, when the deadline passes. */
  public static void until(String what, BooleanSupplier condition) throws InterruptedException {
    if (!eventually(condition)) {
      throw new AssertionError(what + ": not reached within " + SECONDS + " s");
    }
  }

  /**
   * Asks again until an answer is not null and returns it, for a state only a request can see (an admin endpoint);
   * fails the test, naming {@code what}, when the deadline passes.
   */
  public static <T> T untilPresent(String what, Supplier<Future<T>> ask) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
    while (System.nanoTime() < deadline) {
      T answer = await(ask.get());
      if (answer != null) {
        return answer;
      }
      Thread.sleep(5);
    }
    throw new AssertionError(what + ": not reached within " + SECONDS + " s");
  }

  /** Sends one text message and returns the next text message that comes back. */
  public static String echo(WebSocket ws, String text) throws Exception {
    CompletableFuture<String> answer = new CompletableFuture<>();
    ws.textMessageHandler(answer::complete);
    ws.writeTextMessage(text);
    return answer.get(SECONDS, TimeUnit.SECONDS);
  }
}

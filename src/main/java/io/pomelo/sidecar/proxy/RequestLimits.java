package io.pomelo.sidecar.proxy;

import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.netty.handler.codec.http.ContentLengthNotAllowedException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http.TransferEncodingNotAllowedException;
import io.netty.handler.ssl.NotSslRecordException;
import io.pomelo.sidecar.config.LimitsConfig;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

import java.util.concurrent.TimeUnit;

/**
 * The size limits of a request and what each answers: a request line over {@code limits.requestLine} gets 414, headers
 * over {@code limits.headerSize} in all or over {@code limits.headerCount} in number get 431, anything Netty cannot
 * parse gets 400; each closes the connection. Netty enforces the sizes while it reads, so an oversized head is never
 * buffered whole.
 */
final class RequestLimits {

  private final LimitsConfig limits;
  private final Refusals refusals;

  RequestLimits(LimitsConfig limits, Refusals refusals) {
    this.limits = limits;
    this.refusals = refusals;
  }

  /** Sets the sizes and the TLS handshake timeout on the public listener's options. */
  HttpServerOptions applyTo(HttpServerOptions options) {
    return options
      .setMaxInitialLineLength(limits.requestLine())
      .setMaxHeaderSize(limits.headerSize())
      .setSslHandshakeTimeout(limits.tlsHandshakeTimeout().toMillis())
      .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
  }

  /**
   * For requests Netty could not decode. Vert.x's own handler already answers 414 and 431 for the two size
   * exceptions and 400 otherwise; this counts them first and then lets it answer.
   */
  Handler<HttpServerRequest> invalidRequestHandler() {
    return request -> {
      Throwable cause = request.decoderResult().cause();
      refusals.record(cause instanceof TooLongHttpLineException ? Refusal.REQUEST_LINE_TOO_LONG
        : cause instanceof TooLongHttpHeaderException ? Refusal.HEADERS_TOO_LARGE
        : isFraming(cause) ? Refusal.BAD_FRAMING : Refusal.MALFORMED_REQUEST);
      HttpServerRequest.DEFAULT_INVALID_REQUEST_HANDLER.handle(request);
    };
  }

  /** For failures before a connection speaks HTTP: TLS handshakes that fail or time out, bytes that are not TLS. */
  Handler<Throwable> connectionFailureHandler() {
    return cause -> refusals.record(cause instanceof HAProxyProtocolException ? Refusal.NO_PROXY_HEADER
      : isNotTls(cause) ? Refusal.NOT_TLS : Refusal.TLS_HANDSHAKE);
  }

  /** False when the request was answered here: too many header fields. */
  boolean admit(HttpServerRequest request) {
    if (limits.headerCount() > 0 && request.headers().size() > limits.headerCount()) {
      refusals.record(Refusal.TOO_MANY_HEADERS);
      RefusalAnswer.send(request, Refusal.TOO_MANY_HEADERS,
        "Request Header Fields Too Large: more than " + limits.headerCount() + " header fields");
      return false;
    }
    return true;
  }

  /**
   * Netty's decoder refuses most framing tricks itself, before {@link RequestFraming} sees them; counted as what they
   * are. Its length and final-coding rules throw plain IllegalArgumentExceptions, known here by what they name.
   */
  private static boolean isFraming(Throwable cause) {
    if (cause instanceof TransferEncodingNotAllowedException || cause instanceof ContentLengthNotAllowedException) {
      return true;
    }
    String message = cause instanceof IllegalArgumentException ? String.valueOf(cause.getMessage()) : "";
    return message.contains("Content-Length") || message.contains("chunked");
  }

  private static boolean isNotTls(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof NotSslRecordException) {
        return true;
      }
    }
    return false;
  }
}

package io.pomelo.sidecar.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

import java.util.List;
import java.util.Locale;

/**
 * The framing rules a front proxy must enforce (RFC 9112 6.1-6.3, 3.2), so that the sidecar and the Pomelo server
 * can never disagree on where a request ends: Transfer-Encoding only on HTTP/1.1, only with {@code chunked} last,
 * never beside Content-Length; one Content-Length of digits; one Host (required on HTTP/1.1); no body on an
 * upgrade. Netty's decoder refuses most of these already; this check does not depend on which Netty is on the class
 * path, and covers the Host and upgrade rules, which a decoder cannot know.
 */
final class RequestFraming {

  /** Longer than any body a Pomelo client sends, short enough that parsing it can never overflow a long. */
  private static final int MAX_LENGTH_DIGITS = 18;

  private RequestFraming() {
  }

  /** Null when the request is framed unambiguously, else why not. */
  static String problem(HttpServerRequest request) {
    MultiMap headers = request.headers();
    List<String> hosts = headers.getAll(HttpHeaders.HOST);
    if (hosts.size() > 1) {
      return "more than one Host header";
    }
    if (hosts.isEmpty() && request.version() == HttpVersion.HTTP_1_1) {
      return "HTTP/1.1 needs a Host header";
    }
    List<String> lengths = headers.getAll(HttpHeaders.CONTENT_LENGTH);
    List<String> codings = headers.getAll(HttpHeaders.TRANSFER_ENCODING);
    if (!codings.isEmpty()) {
      if (request.version() != HttpVersion.HTTP_1_1) {
        return "Transfer-Encoding is not allowed before HTTP/1.1";
      }
      if (!lengths.isEmpty()) {
        return "Transfer-Encoding and Content-Length together";
      }
      if (codings.size() > 1 || !isChunkedLast(codings.get(0))) {
        return "Transfer-Encoding must end in chunked, once";
      }
    }
    if (lengths.size() > 1) {
      return "more than one Content-Length";
    }
    if (lengths.size() == 1 && !isLength(lengths.get(0))) {
      return "Content-Length must be a decimal number";
    }
    if (ClientUpgradeRequest.asksForUpgrade(request)
      && (!codings.isEmpty() || lengths.size() == 1 && !lengths.get(0).trim().equals("0"))) {
      return "a WebSocket upgrade carries no body";
    }
    return null;
  }

  /** True when the last coding is chunked and no earlier one is (RFC 9112 6.1). */
  private static boolean isChunkedLast(String value) {
    String[] codings = value.toLowerCase(Locale.ROOT).split(",", -1);
    for (int i = 0; i < codings.length; i++) {
      String coding = codings[i].trim();
      if (coding.equals("chunked") != (i == codings.length - 1)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isLength(String value) {
    String digits = value.trim();
    if (digits.isEmpty() || digits.length() > MAX_LENGTH_DIGITS) {
      return false;
    }
    for (int i = 0; i < digits.length(); i++) {
      char c = digits.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }
}

package io.pomelo.sidecar.proxy;

import io.vertx.core.http.HttpHeaders;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Reading the session id off a server's answer, as engine.io 1.8 writes it. */
class EngineIoSessionTest {

  @Test
  void theIoCookieOfTheAnswerIsTheSession() {
    assertThat(EngineIoSession.setBy(HttpHeaders.headers()
      .add(HttpHeaders.SET_COOKIE, "other=1; Path=/")
      .add(HttpHeaders.SET_COOKIE, "io=Yx3_aB-c9dEfGhIjKlMn; Path=/; HttpOnly"))).isEqualTo("Yx3_aB-c9dEfGhIjKlMn");
    assertThat(EngineIoSession.setBy(HttpHeaders.headers().add(HttpHeaders.SET_COOKIE, "io=abc"))).isEqualTo("abc");
  }

  @Test
  void anAnswerWithoutItSetsNone() {
    assertThat(EngineIoSession.setBy(HttpHeaders.headers())).isNull();
    assertThat(EngineIoSession.setBy(HttpHeaders.headers().add(HttpHeaders.SET_COOKIE, "iox=abc"))).isNull();
    assertThat(EngineIoSession.setBy(HttpHeaders.headers().add(HttpHeaders.SET_COOKIE, "io=; Path=/"))).isNull();
  }
}

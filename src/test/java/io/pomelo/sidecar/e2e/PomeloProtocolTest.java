package io.pomelo.sidecar.e2e;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Byte layouts checked against what pomelo-protocol 0.1.6 (the one in pomelo 2.2.7) produces. */
final class PomeloProtocolTest {

  private static final HexFormat HEX = HexFormat.of();

  @Test
  void requestMatchesPomeloProtocolWithMultiByteId() {
    PomeloMessage request = new PomeloMessage(PomeloMessage.TYPE_REQUEST, 300, "gate.gateHandler.queryEntry",
      Buffer.buffer("{\"uid\":1}"));

    assertThat(hex(request.encode()))
      .isEqualTo("00ac021b676174652e6761746548616e646c65722e7175657279456e7472797b22756964223a317d");
  }

  @Test
  void notifyHasRouteButNoId() {
    PomeloMessage notify = new PomeloMessage(PomeloMessage.TYPE_NOTIFY, 0, "chat.say", Buffer.buffer("{}"));

    assertThat(hex(notify.encode())).isEqualTo("0208636861742e7361797b7d");
  }

  @Test
  void responseDecodesIdAndBodyWithoutRoute() {
    PomeloMessage response = PomeloMessage.decode(bytes("04017b22636f6465223a3230307d"));

    assertThat(response.type()).isEqualTo(PomeloMessage.TYPE_RESPONSE);
    assertThat(response.id()).isEqualTo(1);
    assertThat(response.route()).isNull();
    assertThat(response.body().toJsonObject().getInteger("code")).isEqualTo(200);
  }

  @Test
  void largeIdRoundTrips() {
    assertThat(PomeloMessage.decode(bytes("0480808001")).id()).isEqualTo(2_097_152);
    assertThat(hex(new PomeloMessage(PomeloMessage.TYPE_RESPONSE, 2_097_152, null, Buffer.buffer()).encode()))
      .isEqualTo("0480808001");
  }

  @Test
  void pushDecodesRoute() {
    PomeloMessage push = PomeloMessage.decode(bytes("06076f6e456e7472797b2261223a317d"));

    assertThat(push.type()).isEqualTo(PomeloMessage.TYPE_PUSH);
    assertThat(push.route()).isEqualTo("onEntry");
    assertThat(push.body().toString()).isEqualTo("{\"a\":1}");
  }

  @Test
  void compressedRouteIsRejectedNotMisread() {
    assertThatThrownBy(() -> PomeloMessage.decode(bytes("0700017b7d")))
      .isInstanceOf(IllegalArgumentException.class)
      .hasMessageContaining("useDict");
  }

  @Test
  void packagesEncodeTypeAndThreeByteLength() {
    assertThat(hex(PomeloPackage.of(PomeloPackage.TYPE_HEARTBEAT).encode())).isEqualTo("03000000");
    assertThat(hex(new PomeloPackage(PomeloPackage.TYPE_DATA, Buffer.buffer("abc")).encode()))
      .isEqualTo("04000003616263");
  }

  @Test
  void oneMessageMayCarrySeveralPackages() {
    assertThat(PomeloPackage.decodeAll(bytes("03000000" + "04000003616263")))
      .containsExactly(PomeloPackage.of(PomeloPackage.TYPE_HEARTBEAT),
        new PomeloPackage(PomeloPackage.TYPE_DATA, Buffer.buffer("abc")));
  }

  @Test
  void truncatedPackageIsRejected() {
    assertThatThrownBy(() -> PomeloPackage.decodeAll(bytes("04000005616263")))
      .isInstanceOf(IllegalArgumentException.class)
      .hasMessageContaining("declares 5 body bytes but 3 remain");
  }

  private static Buffer bytes(String hex) {
    return Buffer.buffer(HEX.parseHex(hex));
  }

  private static String hex(Buffer buffer) {
    return HEX.formatHex(buffer.getBytes());
  }
}

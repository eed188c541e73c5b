package io.pomelo.sidecar.tls;

import io.pomelo.sidecar.config.ConfigException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The key file formats nginx and HAProxy use, and what is refused with the file and the rule named. */
class TicketKeyFileTest {

  private static final SecureRandom RANDOM = new SecureRandom();

  private static byte[] random(int size) {
    byte[] bytes = new byte[size];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  private static byte[] concat(byte[]... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  @Test
  void rawKeysOneAfterTheOtherNewestFirst() throws Exception {
    byte[] newest = random(80);
    byte[] older = random(80);
    List<TicketKey> keys = TicketKeyFile.parse("ticket.keys", concat(newest, older));
    assertThat(keys).extracting(TicketKey::name).containsExactly(
      HexFormat.of().formatHex(newest, 0, 16), HexFormat.of().formatHex(older, 0, 16));
  }

  @Test
  void a48ByteKeyAndBase64LinesAsHaproxyWritesThem() throws Exception {
    byte[] small = random(48);
    assertThat(TicketKeyFile.parse("k", small)).singleElement()
      .extracting(TicketKey::name).isEqualTo(HexFormat.of().formatHex(small, 0, 16));
    byte[] a = random(80);
    byte[] b = random(48);
    String lines = Base64.getEncoder().encodeToString(a) + "\n" + Base64.getEncoder().encodeToString(b) + "\n\n";
    assertThat(TicketKeyFile.parse("k", lines.getBytes(StandardCharsets.US_ASCII))).hasSize(2);
  }

  @Test
  void theSameBytesGiveTheSameKeysSoEverySidecarAgrees() throws Exception {
    byte[] content = random(160);
    assertThat(TicketKeyFile.parse("a", content)).isEqualTo(TicketKeyFile.parse("b", content.clone()));
    assertThat(TicketKeyFile.parse("a", content)).isNotEqualTo(TicketKeyFile.parse("a", random(160)));
  }

  @Test
  void badFilesNameTheFileAndTheRule() {
    assertThatThrownBy(() -> TicketKeyFile.parse("/etc/k", new byte[0]))
      .isInstanceOf(ConfigException.class).hasMessageContaining("/etc/k").hasMessageContaining("openssl rand 80");
    assertThatThrownBy(() -> TicketKeyFile.parse("/etc/k", random(79)))
      .hasMessageContaining("/etc/k").hasMessageContaining("80-byte keys one after the other");
    assertThatThrownBy(() -> TicketKeyFile.parse("/etc/k", "bm90IGEga2V5\n".getBytes(StandardCharsets.US_ASCII)))
      .hasMessageContaining("line 1").hasMessageContaining("80 (or 48) bytes");
    // Five 48-byte keys or three 80-byte ones? Raw files hold one 48-byte key at most.
    assertThatThrownBy(() -> TicketKeyFile.parse("/etc/k", random(96)))
      .hasMessageContaining("96 bytes").hasMessageContaining("or one 48-byte key");
    assertThatThrownBy(() -> TicketKeyFile.parse("/etc/k", random(80 * 9)))
      .hasMessageContaining("at most 8");
    byte[] key = random(80);
    assertThatThrownBy(() -> TicketKeyFile.parse("/etc/k", concat(key, key)))
      .hasMessageContaining("key 2").hasMessageContaining("the name of an earlier key");
  }

  @Test
  void aKeyShowsItsNameNeverItsSecrets() throws Exception {
    byte[] content = random(80);
    TicketKey key = TicketKeyFile.parse("k", content).get(0);
    String hexSecret = HexFormat.of().formatHex(content, 16, 32);
    assertThat(key.toString()).contains(key.name()).contains("(hidden)").doesNotContain(hexSecret);
  }
}

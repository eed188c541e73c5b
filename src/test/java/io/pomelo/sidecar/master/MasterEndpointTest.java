package io.pomelo.sidecar.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** How a master's address is shown in messages and the status, and which ports are refused. */
class MasterEndpointTest {

  private static final AdminCredentials ADMIN = new AdminCredentials("admin", "s3cret", true);

  @Test
  void theAddressIsHostColonPortWithAnIpv6HostBracketedAndNeverTheCredentials() {
    assertThat(new MasterEndpoint("10.0.0.9", 3105, ADMIN).address()).isEqualTo("10.0.0.9:3105");
    assertThat(new MasterEndpoint("::1", 3005, ADMIN).address()).isEqualTo("[::1]:3005");
    assertThat(new MasterEndpoint("10.0.0.9", 3105, ADMIN).address()).doesNotContain("s3cret");
  }

  @Test
  void aPortOutsideOneTo65535IsRefused() {
    assertThatThrownBy(() -> new MasterEndpoint("127.0.0.1", 0, ADMIN)).hasMessageContaining("1-65535");
    assertThatThrownBy(() -> new MasterEndpoint("127.0.0.1", 65536, ADMIN)).hasMessageContaining("65536");
  }
}

package io.pomelo.sidecar.systemd;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** LISTEN_FDS, LISTEN_PID and LISTEN_FDNAMES read as sd_listen_fds_with_names(3) reads them. */
class ListenFdsTest {

  private static final long PID = 4242;

  @Test
  void noSocketsUnlessBothVariablesNameThisProcess() {
    assertThat(ListenFds.parse(Map.of(), PID)).isEmpty();
    assertThat(ListenFds.parse(Map.of("LISTEN_FDS", "1"), PID)).as("no LISTEN_PID").isEmpty();
    // Inherited by a child of the process they were for.
    assertThat(ListenFds.parse(Map.of("LISTEN_FDS", "1", "LISTEN_PID", "17"), PID)).isEmpty();
  }

  @Test
  void socketsStartAtThreeWithTheirNames() {
    assertThat(ListenFds.parse(Map.of("LISTEN_FDS", "2", "LISTEN_PID", "4242", "LISTEN_FDNAMES", "public:admin"),
      PID)).containsExactly(new ListenFds.Inherited(3, "public"), new ListenFds.Inherited(4, "admin"));
    assertThat(ListenFds.parse(Map.of("LISTEN_FDS", "1", "LISTEN_PID", "4242"), PID))
      .containsExactly(new ListenFds.Inherited(3, "unknown"));
  }

  @Test
  void variablesThatCannotBeReadAreRefusedWithTheirValue() {
    assertThatThrownBy(() -> ListenFds.parse(Map.of("LISTEN_FDS", "two", "LISTEN_PID", "4242"), PID))
      .hasMessage("LISTEN_FDS 'two': must be a number");
    assertThatThrownBy(() -> ListenFds.parse(Map.of("LISTEN_FDS", "1", "LISTEN_PID", "me"), PID))
      .hasMessage("LISTEN_PID 'me': must be a number");
    assertThatThrownBy(() -> ListenFds.parse(Map.of("LISTEN_FDS", "0", "LISTEN_PID", "4242"), PID))
      .hasMessage("LISTEN_FDS '0': must be from 1 to 64 sockets");
    assertThatThrownBy(() -> ListenFds.parse(Map.of("LISTEN_FDS", "2", "LISTEN_PID", "4242",
      "LISTEN_FDNAMES", "public"), PID))
      .hasMessage("LISTEN_FDNAMES 'public': names 1 sockets, LISTEN_FDS passes 2");
  }

  @Test
  void eachSocketServesOneListener() {
    ListenFds.Inherited only = new ListenFds.Inherited(3, "pomelo-sidecar.socket");
    assertThat(ListenFds.byListener(List.of(only))).isEqualTo(Map.of("public", only));
    ListenFds.Inherited admin = new ListenFds.Inherited(3, "admin");
    assertThat(ListenFds.byListener(List.of(admin))).isEqualTo(Map.of("admin", admin));
    ListenFds.Inherited publicOne = new ListenFds.Inherited(4, "public");
    assertThat(ListenFds.byListener(List.of(admin, publicOne))).isEqualTo(Map.of("admin", admin, "public", publicOne));

    assertThatThrownBy(() -> ListenFds.byListener(List.of(publicOne, new ListenFds.Inherited(5, "unknown"))))
      .hasMessageContaining("socket 5 is named 'unknown'; with more than one socket, each must be named public or"
        + " admin");
    assertThatThrownBy(() -> ListenFds.byListener(List.of(publicOne, new ListenFds.Inherited(5, "public"))))
      .hasMessageContaining("sockets 4 and 5 are both for the public listener");
  }
}

package io.pomelo.sidecar.systemd;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The listening sockets systemd passed to this process (socket activation), read as sd_listen_fds(3) and
 * sd_listen_fds_with_names(3) read them: LISTEN_FDS sockets from file descriptor 3 on, meant for us only when
 * LISTEN_PID is our pid (a child that inherited the variables must not take them), named by LISTEN_FDNAMES
 * (FileDescriptorName= in the .socket unit). A socket named {@code admin} serves the admin API; one named
 * {@code public}, or the only socket whatever its name, serves the public port.
 *
 * <p>sd_listen_fds also unsets the variables, so that children do not inherit them, and sets FD_CLOEXEC. Java can do
 * neither (its environment is a copy taken at start, which ProcessBuilder uses whatever unsetenv does), and needs
 * neither: ProcessBuilder closes every descriptor above 2 in a child, and a child that reads the variables sees a
 * LISTEN_PID that is not its own.
 */
public final class ListenFds {

  /** SD_LISTEN_FDS_START. */
  static final int FIRST = 3;
  public static final String PUBLIC = "public";
  public static final String ADMIN = "admin";

  // Linux's <sys/socket.h>: the same on x86-64 and arm64.
  private static final int SOL_SOCKET = 1;
  private static final int SO_TYPE = 3;
  private static final int SO_ACCEPTCONN = 30;
  private static final int SOCK_STREAM = 1;

  /** One inherited socket: its descriptor and its name (systemd's default is the socket unit's name). */
  public record Inherited(int fd, String name) {
  }

  private ListenFds() {
  }

  /**
   * The sockets {@code env} passes to the process {@code pid}: empty when LISTEN_FDS or LISTEN_PID is unset or
   * LISTEN_PID is another process's.
   *
   * @throws IllegalArgumentException naming the variable, its value and the rule, when they cannot be read
   */
  public static List<Inherited> parse(Map<String, String> env, long pid) {
    String fds = env.get("LISTEN_FDS");
    String listenPid = env.get("LISTEN_PID");
    if (fds == null || listenPid == null) {
      return List.of();
    }
    long forPid = number("LISTEN_PID", listenPid);
    if (forPid != pid) {
      return List.of();
    }
    long count = number("LISTEN_FDS", fds);
    if (count < 1 || count > 64) {
      throw new IllegalArgumentException("LISTEN_FDS '" + fds + "': must be from 1 to 64 sockets");
    }
    String names = env.get("LISTEN_FDNAMES");
    String[] split = names == null ? null : names.split(":", -1);
    if (split != null && split.length != count) {
      throw new IllegalArgumentException("LISTEN_FDNAMES '" + names + "': names " + split.length
        + " sockets, LISTEN_FDS passes " + count);
    }
    List<Inherited> sockets = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      // sd_listen_fds_with_names(3) names a socket "unknown" when LISTEN_FDNAMES is unset.
      sockets.add(new Inherited(FIRST + i, split == null ? "unknown" : split[i]));
    }
    return List.copyOf(sockets);
  }

  /**
   * Which inherited socket serves which listener: {@link #PUBLIC} and {@link #ADMIN}, each at most once.
   *
   * @throws IllegalArgumentException when a socket would serve nothing, or two the same listener
   */
  public static Map<String, Inherited> byListener(List<Inherited> sockets) {
    Map<String, Inherited> listeners = new LinkedHashMap<>();
    for (Inherited socket : sockets) {
      String listener = socket.name().equals(ADMIN) ? ADMIN
        : socket.name().equals(PUBLIC) || sockets.size() == 1 ? PUBLIC : null;
      if (listener == null) {
        throw new IllegalArgumentException("LISTEN_FDNAMES: socket " + socket.fd() + " is named '" + socket.name()
          + "'; with more than one socket, each must be named public or admin (FileDescriptorName=)");
      }
      if (listeners.putIfAbsent(listener, socket) != null) {
        throw new IllegalArgumentException("LISTEN_FDNAMES: sockets " + listeners.get(listener).fd() + " and "
          + socket.fd() + " are both for the " + listener + " listener");
      }
    }
    return listeners;
  }

  /**
   * The address a socket listens on, after checking it is a listening TCP socket (ListenStream=); needs Netty's
   * native epoll library, which the sidecar serves with on Linux.
   *
   * @throws IllegalArgumentException when it is not, with the reason
   */
  public static InetSocketAddress listeningAddress(Inherited socket) {
    if (!Epoll.isAvailable()) {
      throw new IllegalArgumentException("systemd passed sockets (LISTEN_FDS), but serving on them needs Netty's"
        + " native epoll transport, which is unavailable: " + Epoll.unavailabilityCause());
    }
    String which = "socket " + socket.fd() + " ('" + socket.name() + "')";
    Socket fd = new Socket(socket.fd());
    try {
      if (fd.getIntOpt(SOL_SOCKET, SO_TYPE) != SOCK_STREAM || fd.getIntOpt(SOL_SOCKET, SO_ACCEPTCONN) != 1) {
        throw new IllegalArgumentException(which + " is not a listening stream socket: use ListenStream=");
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(which + " is not a socket: " + e.getMessage());
    }
    InetSocketAddress address = fd.localAddress();
    if (address == null) {
      throw new IllegalArgumentException(which + " is not a TCP socket (a Unix socket?): use ListenStream=PORT"
        + " or ADDRESS:PORT");
    }
    return address;
  }

  private static long number(String variable, String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(variable + " '" + value + "': must be a number");
    }
  }
}

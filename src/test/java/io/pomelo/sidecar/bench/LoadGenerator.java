package io.pomelo.sidecar.bench;

import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The benchmark's client: TLS WebSockets through the proxy under test to the echo backends, on one event loop.
 * Each scenario prints one line "RESULT key=value ..." that bench/run.sh collects.
 *
 * <pre>
 * java -cp TEST_CLASSPATH io.pomelo.sidecar.bench.LoadGenerator SCENARIO --port 8443 --ca cert.pem --pids 123 [...]
 *   throughput  --connections 100 --size 1024 --warmup 2 --duration 10   one message in flight per connection
 *   latency     --connections 100 --rate 20000 --warmup 2 --duration 10  fixed rate, latency from the intended send
 *   idle        --idle 9000 --hold 5 --warmup 10                          RSS per open idle connection
 *   handshake   --concurrency 32 --warmup 2 --duration 10                new TCP + TLS + upgrade + one echo + close
 *   reload      --connections 100 --reloads 3 --interval 3 --warmup 2 --reload-cmd "bench/reload.sh nginx"
 * </pre>
 *
 * Messages carry their intended send time (System.nanoTime) in their first 8 bytes, so latency is measured from
 * when a message should have left, not when it did (no coordinated omission). Paths alternate /gate/ and /conn/.
 */
public final class LoadGenerator {

  private static final List<String> PATHS = List.of("/gate/", "/conn/");

  private final Map<String, String> opts;
  private final Vertx vertx;
  private final Context context;
  private final WebSocketClient client;
  private final WebSocketClientOptions clientOptions;
  private final ProxyProcesses proxy;
  private final int port;
  private final String serverName;
  private final byte[] padding;
  private final Map<String, Object> result = new LinkedHashMap<>();

  private LoadGenerator(Map<String, String> opts) {
    this.opts = opts;
    this.vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(1));
    this.context = vertx.getOrCreateContext();
    this.port = Integer.parseInt(opt("port", "8443"));
    this.serverName = opt("server-name", "localhost");
    List<Long> pids = new ArrayList<>();
    for (String pid : opt("pids", "").split(",")) {
      if (!pid.isBlank()) {
        pids.add(Long.parseLong(pid.trim()));
      }
    }
    this.proxy = new ProxyProcesses(pids);
    this.padding = new byte[Math.max(16, Integer.parseInt(opt("size", "1024")))];
    WebSocketClientOptions options = new WebSocketClientOptions()
      .setSsl(true)
      .setVerifyHost(true)
      .setTrustOptions(new PemTrustOptions().addCertPath(opt("ca", "bench/work/cert.pem")))
      .setEnabledSecureTransportProtocols(Set.of("TLSv1.3"))
      .setMaxConnections(100_000)
      .setConnectTimeout(10_000)
      .setTcpNoDelay(true)
      .setMaxFrameSize(1 << 20)
      .setMaxMessageSize(1 << 20);
    if (OpenSSLEngineOptions.isAvailable()) {
      // No client session cache: every handshake of the handshake scenario is a full one, as for a new player.
      options.setSslEngineOptions(new OpenSSLEngineOptions().setSessionCacheEnabled(false));
    }
    this.client = vertx.createWebSocketClient(options);
    this.clientOptions = options;
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println("usage: LoadGenerator throughput|latency|idle|handshake|reload --port P --ca PEM --pids PID,...");
      System.exit(2);
    }
    Map<String, String> opts = new HashMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    LoadGenerator gen = new LoadGenerator(opts);
    gen.result.put("scenario", args[0]);
    try {
      switch (args[0]) {
        case "throughput" -> gen.throughput();
        case "latency" -> gen.latency();
        case "idle" -> gen.idle();
        case "handshake" -> gen.handshake();
        case "reload" -> gen.reload();
        case "storm" -> gen.storm();
        default -> throw new IllegalArgumentException("unknown scenario " + args[0]);
      }
    } finally {
      StringBuilder line = new StringBuilder("RESULT");
      gen.result.forEach((k, v) -> line.append(' ').append(k).append('=').append(v));
      System.out.println(line);
      System.out.flush();
      Runtime.getRuntime().halt(0);
    }
  }

  // ---------------------------------------------------------------- scenarios

  /** Closed loop: each connection sends the next message when the previous one came back. */
  private void throughput() throws Exception {
    int n = intOpt("connections", 100);
    List<Peer> peers = open(n, 50);
    Histogram rtt = new Histogram(60_000_000L, 3);
    AtomicLong counted = new AtomicLong();
    Window window = new Window();
    // Counted and timed from the first echo (the window reads the counter at both ends and empties the histogram
    // when it opens), so that no branch turns at the window's start: see latency().
    for (Peer p : peers) {
      p.onEcho = (sentAt, now) -> {
        counted.incrementAndGet();
        rtt.recordValue(Math.max(0, (now - sentAt) / 1000));
        if (!window.stopping) {
          p.send(System.nanoTime());
        }
      };
    }
    onLoop(() -> {
      peers.forEach(p -> p.send(System.nanoTime()));
      return null;
    });
    Measured m = measure(window, counted::get, () -> onLoop(() -> {
      rtt.reset();
      return null;
    }), () -> { });
    drain(peers, 3000);
    result.put("messages", m.count);
    result.put("seconds", fmt(m.seconds));
    result.put("msgs_per_s", fmt(m.count / m.seconds));
    result.put("proxy_cpu_s", fmt(m.cpu));
    result.put("msgs_per_core_s", fmt(m.count / m.cpu));
    Histogram h = onLoop(rtt::copy);
    result.put("rtt_p50_ms", ms(h.getValueAtPercentile(50)));
    result.put("rtt_p99_ms", ms(h.getValueAtPercentile(99)));
    result.put("dropped", dropped(peers));
  }

  /** Open loop at a fixed rate over all connections; a late send still counts from when it was due. */
  private void latency() throws Exception {
    int n = intOpt("connections", 100);
    double rate = Double.parseDouble(opt("rate", "20000"));
    List<Peer> peers = open(n, 50);
    Histogram lat = new Histogram(60_000_000L, 3);
    Window window = new Window();
    AtomicLong counted = new AtomicLong();
    // Every echo is recorded from the first one on, and the histogram is emptied when the window opens: the
    // recording path is compiled by then. Flipping a "measure from now" branch at the window's start made the
    // JIT deoptimise and recompile it on the generator's core, and that stall (about 1 000 messages of 1-15 ms
    // in the first 0.6 s) was the p99 of every proxy at 5 000 msgs/s. Sends after the window are not recorded.
    long[] measureUntil = {Long.MAX_VALUE};
    long[] measureFrom = {0};
    SlowEchoes slow = new SlowEchoes(Long.parseLong(opt("slow-us", "0")));
    for (Peer p : peers) {
      p.onEcho = (intended, now) -> {
        if (intended < measureUntil[0]) {
          counted.incrementAndGet();
          lat.recordValue(Math.max(0, (now - intended) / 1000));
          slow.echoed(intended, now - intended);
        }
      };
    }
    long start = System.nanoTime() + 5_000_000;
    long[] sent = {0};
    EventLoop loop = ((ContextInternal) context).nettyEventLoop();
    // Epoll timers fire with microsecond resolution, so sends leave close to their intended times.
    io.netty.util.concurrent.ScheduledFuture<?> ticker = onLoop(() -> loop.scheduleAtFixedRate(() -> {
      if (window.stopping) {
        return;
      }
      long due = (long) ((System.nanoTime() - start) * rate / 1e9);
      while (sent[0] < due) {
        long intended = start + (long) (sent[0] * 1e9 / rate);
        peers.get((int) (sent[0] % n)).send(intended);
        sent[0]++;
      }
    }, 0, 50, TimeUnit.MICROSECONDS));
    // The window opens a second after the proxy's CPU is read: reading /proc, and the JIT compiling that code,
    // took this core from the event loop for a few hundred milliseconds (messages of up to 6 ms, every proxy).
    Measured m = measure(window, counted::get, () -> {
      Thread.sleep(1000);
      onLoop(() -> {
        lat.reset();
        measureFrom[0] = System.nanoTime();
        return null;
      });
    }, () -> onLoop(() -> {
      measureUntil[0] = System.nanoTime();
      return null;
    }));
    ticker.cancel(false);
    drain(peers, 5000);
    onLoop(() -> {
      slow.print(System.err, measureFrom[0], measureUntil[0]);
      return null;
    });
    Histogram h = onLoop(lat::copy);
    result.put("rate", fmt(rate));
    result.put("achieved_per_s", fmt(m.count / m.seconds));
    result.put("p50_ms", ms(h.getValueAtPercentile(50)));
    result.put("p99_ms", ms(h.getValueAtPercentile(99)));
    result.put("p999_ms", ms(h.getValueAtPercentile(99.9)));
    result.put("max_ms", ms(h.getMaxValue()));
    result.put("proxy_cpu_s", fmt(m.cpu));
    result.put("proxy_cpu_share", fmt(m.cpu / m.cpuWindow));
    result.put("lost", onLoop(() -> peers.stream().mapToLong(p -> p.sent - p.received).sum()));
    result.put("dropped", dropped(peers));
  }

  /**
   * Opens as many idle TLS WebSockets as asked, checks each still echoes, and reports RSS per connection. The
   * baseline is read after {@code --warmup} seconds of handshake churn (connect, one echo, close), as in the
   * handshake scenario, so that what a proxy sets up once for any traffic (a JVM's compiled code and touched young
   * heap; a C proxy's allocator arenas and pools) is not charged to the connections: the figure is what one more
   * idle connection costs a proxy that has served traffic. The cold figure, from the freshly started proxy, is
   * reported beside it ({@code rss_per_conn_cold_kib}).
   */
  private void idle() throws Exception {
    int n = intOpt("idle", 9000);
    Thread.sleep(1000);
    long start = proxy.rssKib();
    Window churn = new Window();
    churnLoops(intOpt("concurrency", 64), churn, new AtomicLong(), new AtomicLong());
    Thread.sleep(1000L * intOpt("warmup", 2));
    churn.stopping = true;
    // Lets the last churned connections end before the baseline is read.
    Thread.sleep(1000);
    long before = proxy.rssKib();
    long t0 = System.nanoTime();
    List<Peer> peers = open(n, intOpt("concurrency", 64));
    double openSeconds = (System.nanoTime() - t0) / 1e9;
    Thread.sleep(1000L * intOpt("hold", 5));
    long after = proxy.rssKib();
    AtomicLong echoed = new AtomicLong();
    for (Peer p : peers) {
      p.onEcho = (t, now) -> echoed.incrementAndGet();
    }
    onLoop(() -> {
      peers.forEach(p -> p.send(System.nanoTime()));
      return null;
    });
    long deadline = System.currentTimeMillis() + 15_000;
    while (echoed.get() < peers.size() && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    result.put("asked", n);
    result.put("opened", peers.size());
    result.put("open_per_s", fmt(peers.size() / openSeconds));
    result.put("echoed_after_hold", echoed.get());
    result.put("rss_before_kib", before);
    result.put("rss_after_kib", after);
    result.put("rss_per_conn_kib", fmt(peers.isEmpty() ? 0 : (after - before) / (double) peers.size()));
    result.put("rss_start_kib", start);
    result.put("rss_per_conn_cold_kib", fmt(peers.isEmpty() ? 0 : (after - start) / (double) peers.size()));
    result.put("dropped", dropped(peers));
  }

  /**
   * A restart's reconnect storm: {@code --clients} (5000) at once, half from 127.0.0.1 and half from 127.0.0.2, each a
   * TCP connect, a full TLS handshake, the upgrade and one echo; how long until every one was served, and how many
   * failed (a refused or timed-out connect, a failed handshake or upgrade).
   */
  private void storm() throws Exception {
    int clients = intOpt("clients", 5000);
    WebSocketClient fromSecond = vertx.createWebSocketClient(
      new WebSocketClientOptions(clientOptions).setLocalAddress("127.0.0.2"));
    AtomicLong served = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    CompletableFuture<Void> all = new CompletableFuture<>();
    double cpuBefore = proxy.cpuTime().seconds();
    long started = System.nanoTime();
    AtomicLong lastServedAt = new AtomicLong(started);
    onLoop(() -> {
      for (int i = 0; i < clients; i++) {
        oneEcho(i % 2 == 0 ? client : fromSecond, PATHS.get(i % PATHS.size())).onComplete(ar -> {
          if (ar.succeeded()) {
            served.incrementAndGet();
            lastServedAt.set(System.nanoTime());
          } else {
            failed.incrementAndGet();
          }
          if (served.get() + failed.get() == clients) {
            all.complete(null);
          }
        });
      }
      return null;
    });
    all.get(5, TimeUnit.MINUTES);
    result.put("clients", clients);
    result.put("served", served.get());
    result.put("failed", failed.get());
    result.put("all_served_ms", TimeUnit.NANOSECONDS.toMillis(lastServedAt.get() - started));
    result.put("proxy_cpu_s", fmt(proxy.cpuTime().seconds() - cpuBefore));
  }

  /** Each worker loops: connect (TCP + TLS + upgrade), one echo, close; then the next. */
  private void handshake() throws Exception {
    Window window = new Window();
    AtomicLong done = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    churnLoops(intOpt("concurrency", 32), window, done, failed);
    Measured m = measure(window, done::get);
    Thread.sleep(500);
    result.put("handshakes", m.count);
    result.put("failed", failed.get());
    result.put("per_s", fmt(m.count / m.seconds));
    result.put("proxy_cpu_s", fmt(m.cpu));
    result.put("per_core_s", fmt(m.count / m.cpu));
  }

  /** Starts {@code k} loops of connect, one echo, close, counting in the window until it is stopping. */
  private void churnLoops(int k, Window window, AtomicLong done, AtomicLong failed) throws Exception {
    onLoop(() -> {
      for (int i = 0; i < k; i++) {
        String path = PATHS.get(i % PATHS.size());
        Runnable[] next = new Runnable[1];
        next[0] = () -> {
          if (window.stopping) {
            return;
          }
          oneEcho(path).onComplete(ar -> {
            if (ar.succeeded()) {
              if (window.open) {
                done.incrementAndGet();
              }
              next[0].run();
            } else {
              if (window.open) {
                failed.incrementAndGet();
              }
              vertx.setTimer(10, id -> next[0].run());
            }
          });
        };
        next[0].run();
      }
      return null;
    });
  }

  /**
   * Closed-loop echo on many connections while the proxy is told {@code --reloads} times to add a route
   * (/new1/, /new2/, ...) by {@code --reload-cmd CMD} run as "CMD i". Counts connections the proxy dropped,
   * messages that never came back, and how long after each command the new route answered; and the dip, measured
   * after {@code --warmup} seconds of the same load: echoes in the worst whole second against the mean of all of
   * them, and the longest round trip of any echo sent after the warm-up.
   */
  private void reload() throws Exception {
    int n = intOpt("connections", 100);
    int reloads = intOpt("reloads", 3);
    long interval = Long.parseLong(opt("interval", "3")) * 1000;
    long timeout = Long.parseLong(opt("route-timeout", "5")) * 1000;
    String command = opt("reload-cmd", "true");
    List<Peer> peers = open(n, 50);
    Window window = new Window();
    long[] perSecond = new long[3600];
    long[] maxRtt = {0};
    // Set on the event loop when the warm-up ends; until then echoes only keep the load going.
    long[] measuredFrom = {Long.MAX_VALUE};
    for (Peer p : peers) {
      p.onEcho = (sentAt, now) -> {
        if (!window.stopping) {
          if (sentAt >= measuredFrom[0]) {
            int second = (int) ((now - measuredFrom[0]) / 1_000_000_000L);
            if (second < perSecond.length) {
              perSecond[second]++;
            }
            maxRtt[0] = Math.max(maxRtt[0], now - sentAt);
          }
          p.send(System.nanoTime());
        }
      };
    }
    onLoop(() -> {
      peers.forEach(p -> p.send(System.nanoTime()));
      return null;
    });
    // The load generator's own JIT and the proxy's first seconds are the cold scenarios' business: without a
    // warm-up, every proxy's worst second was the second one, before any reload. The generator's own part of a
    // reload (a process, echoes on a path not routed yet, then on a routed one) is warmed too: done cold, it cut
    // every proxy's echoes to half in the second of the first reload.
    new ProcessBuilder("sh", "-c", "true").inheritIO().start().waitFor();
    for (int i = 0; i < 3; i++) {
      try {
        oneEcho("/new0/").toCompletionStage().toCompletableFuture().get(2, TimeUnit.SECONDS);
      } catch (Exception e) {
        // no such route: the retry path of the loop below
      }
      oneEcho("/gate/").toCompletionStage().toCompletableFuture().get(2, TimeUnit.SECONDS);
    }
    Thread.sleep(1000L * intOpt("warmup", 2));
    long start = onLoop(() -> {
      measuredFrom[0] = System.nanoTime();
      return measuredFrom[0];
    });
    List<String> served = new ArrayList<>();
    for (int i = 1; i <= reloads; i++) {
      Thread.sleep(interval);
      long t0 = System.nanoTime();
      System.err.printf(Locale.ROOT, "reload %d at %.1f s%n", i, (t0 - start) / 1e9);
      Process p = new ProcessBuilder("sh", "-c", command + " " + i).inheritIO().start();
      int rc = p.waitFor();
      long cmdMs = (System.nanoTime() - t0) / 1_000_000;
      String path = "/new" + i + "/";
      Long ms = null;
      while ((System.nanoTime() - t0) / 1_000_000 < timeout) {
        try {
          oneEcho(path).toCompletionStage().toCompletableFuture().get(2, TimeUnit.SECONDS);
          ms = (System.nanoTime() - t0) / 1_000_000;
          break;
        } catch (Exception e) {
          Thread.sleep(20);
        }
      }
      served.add(ms == null ? "not_served" : ms + "ms");
      result.put("reload" + i + "_cmd", "rc" + rc + "/" + cmdMs + "ms");
    }
    Thread.sleep(1000);
    int seconds = (int) ((System.nanoTime() - start) / 1_000_000_000L);
    window.stopping = true;
    drain(peers, 5000);
    onLoop(() -> {
      long worst = Long.MAX_VALUE;
      long sum = 0;
      int whole = Math.min(seconds, perSecond.length);
      for (int s = 0; s < whole; s++) {
        worst = Math.min(worst, perSecond[s]);
        sum += perSecond[s];
      }
      double mean = whole > 0 ? (double) sum / whole : 0;
      result.put("worst_second_share", mean == 0 ? "0" : String.format(Locale.ROOT, "%.2f", worst / mean));
      result.put("max_rtt_ms", String.format(Locale.ROOT, "%.1f", maxRtt[0] / 1e6));
      // Where the worst second fell, against the reload commands' times, for whoever reads the .err file.
      StringBuilder series = new StringBuilder("echoes per second:");
      for (int s = 0; s < whole; s++) {
        series.append(' ').append(perSecond[s]);
      }
      System.err.println(series);
      return null;
    });
    result.put("connections", n);
    result.put("reloads_done", reloads);
    result.put("dropped", dropped(peers));
    result.put("lost", onLoop(() -> peers.stream().mapToLong(p -> p.sent - p.received).sum()));
    result.put("echoed", onLoop(() -> peers.stream().mapToLong(p -> p.received).sum()));
    result.put("new_route", String.join(",", served));
  }

  // ---------------------------------------------------------------- helpers

  /** One connection of a scenario; touched only on the event loop. */
  private final class Peer {
    final WebSocket ws;
    long sent;
    long received;
    boolean closing;
    boolean dropped;
    EchoHandler onEcho = (t, now) -> { };

    Peer(WebSocket ws) {
      this.ws = ws;
      ws.binaryMessageHandler(b -> {
        received++;
        onEcho.echoed(b.getLong(0), System.nanoTime());
      });
      ws.closeHandler(v -> dropped = !closing);
      ws.exceptionHandler(e -> { });
    }

    void send(long stamp) {
      sent++;
      ws.writeBinaryMessage(message(stamp));
    }
  }

  @FunctionalInterface
  private interface EchoHandler {
    void echoed(long stamp, long now);
  }

  /** Set by the measuring thread, read by the event loop. */
  private static final class Window {
    volatile boolean open;
    volatile boolean stopping;
  }

  /**
   * {@code cpuWindow}: seconds between the two CPU readings, which hold the counted window with a margin;
   * {@code others}: seconds of CPU 0 used by anything but the proxy between them (a shared machine).
   */
  private record Measured(long count, double seconds, double cpu, double cpuWindow, double others) {
  }

  private Measured measure(Window window, Supplier<Long> counter) throws Exception {
    return measure(window, counter, () -> { }, () -> { });
  }

  /**
   * Warm-up, then a measured window with the proxy's CPU time read at both ends. {@code atStart} and {@code atEnd}
   * run just inside the CPU readings: reading /proc takes this core from the event loop for a moment, and a
   * scenario that times messages keeps that moment out of its window.
   */
  private Measured measure(Window window, Supplier<Long> counter, ThrowingRunnable atStart, ThrowingRunnable atEnd)
      throws Exception {
    Thread.sleep(1000L * intOpt("warmup", 2));
    long tc0 = System.nanoTime();
    ProxyProcesses.CpuTime cpu0 = proxy.cpuTime();
    double jit0 = proxy.compilerSeconds();
    double busy0 = proxy.cpu0BusySeconds();
    atStart.run();
    window.open = true;
    long c0 = counter.get();
    long t0 = System.nanoTime();
    Thread.sleep((long) (1000 * Double.parseDouble(opt("duration", "10"))));
    long c1 = counter.get();
    long t1 = System.nanoTime();
    atEnd.run();
    ProxyProcesses.CpuTime cpu1 = proxy.cpuTime();
    long tc1 = System.nanoTime();
    double jit1 = proxy.compilerSeconds();
    double busy1 = proxy.cpu0BusySeconds();
    window.open = false;
    window.stopping = true;
    double cpu = Math.max(cpu1.seconds() - cpu0.seconds(), 0.01);
    Measured m = new Measured(c1 - c0, (t1 - t0) / 1e9, cpu, (tc1 - tc0) / 1e9, Math.max(0, busy1 - busy0 - cpu));
    result.put("cpu0_others_share", fmt2(m.others / m.cpuWindow));
    result.put("proxy_jit_share", fmt2((jit1 - jit0) / cpu));
    result.put("proxy_kernel_share", fmt2((cpu1.kernelSeconds() - cpu0.kernelSeconds()) / cpu));
    return m;
  }

  @FunctionalInterface
  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  /** Opens n connections, at most {@code parallel} handshakes at a time; failures are counted, not retried. */
  private List<Peer> open(int n, int parallel) throws Exception {
    List<Peer> peers = new ArrayList<>(n);
    int[] started = {0};
    int[] finished = {0};
    int[] failed = {0};
    String[] firstError = {null};
    CompletableFuture<Void> all = new CompletableFuture<>();
    onLoop(() -> {
      Runnable[] launch = new Runnable[1];
      launch[0] = () -> {
        while (started[0] < n && started[0] - finished[0] < parallel) {
          String path = PATHS.get(started[0] % PATHS.size());
          started[0]++;
          connect(path).onComplete(ar -> {
            finished[0]++;
            if (ar.succeeded()) {
              peers.add(new Peer(ar.result()));
            } else {
              failed[0]++;
              if (firstError[0] == null) {
                firstError[0] = String.valueOf(ar.cause());
              }
            }
            if (finished[0] == n) {
              all.complete(null);
            } else {
              launch[0].run();
            }
          });
        }
      };
      launch[0].run();
      return null;
    });
    all.get(10, TimeUnit.MINUTES);
    if (failed[0] > 0) {
      result.put("connect_failed", failed[0]);
      System.err.println("connect failures: " + failed[0] + ", first: " + firstError[0]);
    }
    return peers;
  }

  private Future<WebSocket> connect(String path) {
    return connect(client, path);
  }

  private Future<WebSocket> connect(WebSocketClient through, String path) {
    WebSocketConnectOptions options = new WebSocketConnectOptions()
      .setServer(SocketAddress.inetSocketAddress(port, "127.0.0.1"))
      .setHost(serverName)
      .setPort(port)
      .setSsl(true)
      .setURI(path);
    return through.connect(options);
  }

  /** One new connection on {@code path}, one echoed message, then close. */
  private Future<Void> oneEcho(String path) {
    return oneEcho(client, path);
  }

  private Future<Void> oneEcho(WebSocketClient through, String path) {
    return connect(through, path).compose(ws -> {
      Promise<Void> echoed = Promise.promise();
      ws.binaryMessageHandler(b -> echoed.tryComplete());
      ws.exceptionHandler(echoed::tryFail);
      ws.closeHandler(v -> echoed.tryFail("closed before the echo"));
      ws.writeBinaryMessage(message(System.nanoTime()));
      return echoed.future().eventually(ws::close);
    });
  }

  private Buffer message(long stamp) {
    Buffer b = Buffer.buffer(padding.length);
    b.appendLong(stamp);
    b.appendBytes(padding, 0, padding.length - 8);
    return b;
  }

  /** Stops new sends and waits for what is in flight, so "lost" counts only what never came back. */
  private void drain(List<Peer> peers, long maxMillis) throws Exception {
    long deadline = System.currentTimeMillis() + maxMillis;
    while (System.currentTimeMillis() < deadline
      && onLoop(() -> peers.stream().anyMatch(p -> !p.dropped && p.sent > p.received))) {
      Thread.sleep(20);
    }
  }

  private long dropped(List<Peer> peers) throws Exception {
    return onLoop(() -> peers.stream().filter(p -> p.dropped).count());
  }

  private <T> T onLoop(Supplier<T> action) throws Exception {
    CompletableFuture<T> f = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        f.complete(action.get());
      } catch (RuntimeException e) {
        f.completeExceptionally(e);
      }
    });
    return f.get(30, TimeUnit.SECONDS);
  }

  private String opt(String name, String fallback) {
    return opts.getOrDefault(name, fallback);
  }

  private int intOpt(String name, int fallback) {
    return Integer.parseInt(opt(name, Integer.toString(fallback)));
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  private static String fmt2(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  private static String ms(long micros) {
    return String.format(Locale.ROOT, "%.3f", micros / 1000.0);
  }
}

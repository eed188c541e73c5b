#!/usr/bin/env bash
# bench/run.sh [PROXY...]: the same WebSocket load against pomelo-sidecar, nginx, HAProxy and Caddy, one after
# the other, each pinned to CPU 0 (load generator and echo backends on CPU 1), on 127.0.0.1 only.
# Prints a side-by-side table (also in bench/work/report.md); raw results in bench/work/results.txt.
# See bench/README.md for what each scenario does and the knobs below.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
# WORK, the ports, JAR, SIDECAR_JAVA_OPTS and the proxies' configurations.
# shellcheck source=bench/proxies.sh
. "$HERE/proxies.sh"

SCENARIOS="${SCENARIOS:-throughput latency handshake idle reload}"
DURATION="${DURATION:-10}"             # measured seconds per scenario
WARMUP="${WARMUP:-10}"                 # seconds of load before measuring (a JVM is still compiling at 3 s:
                                       # see the JIT share rows)
CONNECTIONS="${CONNECTIONS:-100}"      # throughput, latency and reload
SIZE="${SIZE:-1024}"                   # message bytes
RATE="${RATE:-20000}"                  # latency: messages per second, all connections together
SLOW_US="${SLOW_US:-0}"                # latency: trace every echo slower than this many µs (0: none; see SlowEchoes)
IDLE="${IDLE:-9000}"                   # idle: connections to hold (2 descriptors each in the proxy; limit 20000)
HOLD="${HOLD:-5}"                      # idle: seconds to hold them before RSS is read (longer: time for jcmd)
HANDSHAKE_CONCURRENCY="${HANDSHAKE_CONCURRENCY:-32}"
# A handshake runs through far more code than a relayed message, and the JVM's JIT is still compiling it after
# 10 s on one core (proxy_jit_share); 30 s of warm-up measures the steady state a long-running service is in.
HANDSHAKE_WARMUP="${HANDSHAKE_WARMUP:-30}"
COLD_DURATION="${COLD_DURATION:-25}"      # cold: the window from READY on, with no warm-up
STORM="${STORM:-5000}"                   # storm: clients that reconnect at once
RELOADS="${RELOADS:-3}"
# Runs of the whole set, proxies taking turns in each; with more than one the table shows each number's median
# and range. Tail latency on this shared VM varies 3x between runs of one proxy: compare p99 with REPEAT=3 or more.
REPEAT="${REPEAT:-1}"
PROXIES=("$@")
[ ${#PROXIES[@]} -gt 0 ] || PROXIES=(sidecar nginx haproxy caddy)

mkdir -p "$WORK"
RESULTS="$WORK/results.txt"
: > "$RESULTS"
log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }

# ---------------------------------------------------------------- prerequisites
missing=()
command -v nginx >/dev/null || missing+=(nginx-light)
command -v haproxy >/dev/null || missing+=(haproxy)
command -v caddy >/dev/null || missing+=(caddy)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
cd "$ROOT"
if [ ! -f "$JAR" ]; then
  log "building the sidecar jar"
  mvn -q -B -o package -DskipTests || mvn -q -B package -DskipTests
fi
if [ ! -f target/test-classes/io/pomelo/sidecar/bench/LoadGenerator.class ] || [ ! -f "$WORK/classpath.txt" ]; then
  log "compiling the load generator (test scope)"
  mvn -q -B -o test-compile -Dpomelo.npm.skip=true || mvn -q -B test-compile -Dpomelo.npm.skip=true
  mvn -q -B -o dependency:build-classpath -Dmdep.outputFile="$WORK/classpath.txt" \
    || mvn -q -B dependency:build-classpath -Dmdep.outputFile="$WORK/classpath.txt"
fi
CP="$ROOT/target/test-classes:$ROOT/target/classes:$(cat "$WORK/classpath.txt")"
bench_certificate

PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

# ---------------------------------------------------------------- echo backends (CPU 1)
for port in "$PROXY_PORT" "$ECHO_GATE" "$ECHO_CONN" "$ADMIN_PORT" "$CADDY_ADMIN_PORT"; do
  if ss -Htln "sport = :$port" | grep -q .; then
    log "port $port is taken (another bench run?); set PROXY_PORT/ECHO_GATE/ECHO_CONN/ADMIN_PORT/CADDY_ADMIN_PORT"
    exit 1
  fi
done
rm -f "$WORK/echo.log"
# The load generator's and the backends' own JVM flags. MaxTenuringThreshold=0: what they keep alive lives as long
# as they do, and without it the young collections that copy their start-up objects a second time (15-20 ms on
# this core) landed in the first seconds of a measured window and showed up in every proxy's tail latency.
TOOL_JAVA_OPTS="-XX:ActiveProcessorCount=1 -Xmx1g -XX:MaxTenuringThreshold=0"
# shellcheck disable=SC2086
taskset -c 1 java $TOOL_JAVA_OPTS -Xms256m -cp "$CP" io.pomelo.sidecar.bench.EchoServer \
  "$ECHO_GATE" "$ECHO_CONN" > "$WORK/echo.log" 2>&1 &
ECHO_PID=$!
PIDS+=("$ECHO_PID")
# "ready" comes after the backends' own 10 s warm-up (see EchoServer), so no proxy carries their JIT.
for _ in $(seq 300); do
  grep -q ready "$WORK/echo.log" 2>/dev/null && break
  kill -0 "$ECHO_PID" 2>/dev/null || break
  sleep 0.1
done
grep -q ready "$WORK/echo.log" || { log "echo backends did not start"; cat "$WORK/echo.log"; exit 1; }

# On CPU 1: a poll on the proxy's core would take CPU from the start it measures.
ready() {
  [ "$(taskset -c 1 curl -sk --max-time 1 --resolve "localhost:$PROXY_PORT:127.0.0.1" -o /dev/null -w '%{http_code}' \
    "https://localhost:$PROXY_PORT/gate/" 2>/dev/null)" = 200 ]
}

# Starts $1 on CPU 0 and records the time from just before exec to the first answer through it on /gate/.
PROXY_PID=""
start_proxy() {
  local name=$1 t0 t1
  "${name}_config" 0
  t0=$(date +%s%N)
  # Pinned before the exec, so every thread and worker it starts inherits CPU 0.
  ( taskset -pc 0 "$BASHPID" >/dev/null && "${name}_start" ) > "$WORK/$name.log" 2>&1 &
  PROXY_PID=$!
  echo "$PROXY_PID" > "$WORK/proxy.pid"
  for _ in $(seq 3000); do
    ready && break
    kill -0 "$PROXY_PID" 2>/dev/null || { log "$name exited"; tail -20 "$WORK/$name.log" >&2; return 1; }
    sleep 0.01
  done
  t1=$(date +%s%N)
  ready || { log "$name not ready"; tail -20 "$WORK/$name.log" >&2; return 1; }
  echo "proxy=$name scenario=startup ready_ms=$(( (t1 - t0) / 1000000 ))" >> "$RESULTS"
}

stop_proxy() {
  kill "$PROXY_PID" 2>/dev/null || true
  wait "$PROXY_PID" 2>/dev/null || true
  sleep 1
}

# The machine is shared: wait (up to QUIET_WAIT s) until both CPUs are at least 85 % idle over a second, so that a
# scenario does not start in the middle of someone's build. Each result also reports cpu0_others_share: the part
# of CPU 0 that something other than the proxy used during the measurement.
QUIET_WAIT="${QUIET_WAIT:-120}"
wait_quiet() {
  local a b i
  for ((i = 0; i < QUIET_WAIT; i++)); do
    a=$(awk '/^cpu /{print $5+$6, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)
    sleep 1
    b=$(awk '/^cpu /{print $5+$6, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)
    # shellcheck disable=SC2086
    set -- $a $b
    [ $(( ($3 - $1) * 100 / ($4 - $2 + 1) )) -ge 85 ] && return 0
  done
  log "machine still busy after ${QUIET_WAIT}s; measuring anyway"
}

loadgen() {
  local name=$1 scenario=$2; shift 2
  # shellcheck disable=SC2086
  taskset -c 1 java $TOOL_JAVA_OPTS -Xms512m -cp "$CP" io.pomelo.sidecar.bench.LoadGenerator \
    "$scenario" --port "$PROXY_PORT" --ca "$WORK/cert.pem" --pids "$PROXY_PID" --warmup "$WARMUP" \
    --duration "$DURATION" --size "$SIZE" "$@" 2> "$WORK/$name-$scenario.err" | grep '^RESULT' \
    | sed "s/^RESULT/proxy=$name/; s/ scenario=$scenario / scenario=${LABEL:-$scenario} /" | tee -a "$RESULTS" >&2 || true
}

for ((round = 1; round <= REPEAT; round++)); do
  [ "$REPEAT" = 1 ] || log "round $round of $REPEAT"
  for name in "${PROXIES[@]}"; do
    for scenario in $SCENARIOS; do
      wait_quiet
      log "$name: $scenario"
      start_proxy "$name" || continue
      case $scenario in
        throughput) loadgen "$name" throughput --connections "$CONNECTIONS" ;;
        latency) loadgen "$name" latency --connections "$CONNECTIONS" --rate "$RATE" --slow-us "$SLOW_US" ;;
        handshake) WARMUP=$HANDSHAKE_WARMUP loadgen "$name" handshake --concurrency "$HANDSHAKE_CONCURRENCY" ;;
        # The first COLD_DURATION seconds after READY, no warm-up: what a restart's JIT-cold process serves.
        cold) LABEL=cold WARMUP=0 DURATION=$COLD_DURATION loadgen "$name" handshake \
          --concurrency "$HANDSHAKE_CONCURRENCY" ;;
        # STORM clients at once, 2 s after READY, from two source addresses: until all are served.
        storm) sleep 2; loadgen "$name" storm --clients "$STORM" ;;
        idle) loadgen "$name" idle --idle "$IDLE" --hold "$HOLD" ;;
        reload) loadgen "$name" reload --connections "$CONNECTIONS" --reloads "$RELOADS" \
          --reload-cmd "$HERE/reload.sh $name" ;;
        *) log "unknown scenario $scenario" ;;
      esac
      stop_proxy
    done
  done
done

# The kernel's DAMON monitor preempts whatever runs on its core for a few ms once per sampling interval: tail
# latency on a host where it is on says more about the host than about the proxy (bench/README.md).
damon_state() {
  local k
  for k in /sys/kernel/mm/damon/admin/kdamonds/*; do
    [ "$(cat "$k/state" 2>/dev/null)" = on ] || continue
    local c="$k/contexts/0" i="$k/contexts/0/monitoring_attrs/intervals"
    echo "damon=kdamond.${k##*/} on, ops $(cat "$c/operations" 2>/dev/null), sample $(cat "$i/sample_us" 2>/dev/null) us, aggregate $(cat "$i/aggr_us" 2>/dev/null) us"
  done
}

{
  echo "sidecar_sha=$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- src pom.xml || echo -dirty)"
  echo "sidecar_java_opts=-XX:ActiveProcessorCount=1 $(sidecar_archive_opts) $SIDECAR_JAVA_OPTS"
  echo "java=$(sidecar_java -version 2>&1 | head -1)"
  echo "nginx=$(nginx -v 2>&1)"
  echo "haproxy=$(haproxy -v | head -1)"
  echo "caddy=$(caddy version)"
  echo "machine=$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), kernel $(uname -r)"
  echo "date=$(date -u +%FT%TZ)"
  damon_state
  echo "runs=$REPEAT (numbers with a range are the median of the runs)"
  echo "load=duration ${DURATION}s warmup ${WARMUP}s, $CONNECTIONS connections, $SIZE B messages, rate $RATE/s, idle $IDLE held ${HOLD}s, handshake concurrency $HANDSHAKE_CONCURRENCY (warm-up ${HANDSHAKE_WARMUP}s)"
} > "$WORK/meta.txt"
java -cp "$CP" io.pomelo.sidecar.bench.BenchReport "$WORK/meta.txt" "$RESULTS" | tee "$WORK/report.md"

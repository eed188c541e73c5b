#!/usr/bin/env bash
# bench/startup.sh [N] [VARIANT...]: start-to-ready of the sidecar, N starts per variant (default 7), the variants
# taking turns so that a busy spell on this shared machine hits all of them alike. Prints, per variant, the median
# wall time (exec to the first 200 through /gate/, as run.sh's start-up) and the median CPU time the JVM used until
# then (utime+stime of all its threads): the CPU figure is the one a busy machine disturbs least.
#
# A variant is the JVM flags besides -XX:ActiveProcessorCount=1, optionally led by @JAR to start another jar:
#   bench/startup.sh 7 "" "-XX:+UseSerialGC"            # flags A/B
#   bench/startup.sh 7 "@/tmp/old.jar" ""                # jar A/B
# Without variants: the service's way (its environment file's flags and the class-data archive that `class-archive`
# makes) and the same without the archive.
# A variant naming -XX:SharedArchiveFile=FILE gets FILE made first if it is missing or older than its jar, the way
# the service's installation makes it (sidecar_archive in proxies.sh).
# Like run.sh: the sidecar pinned to CPU 0, the backend and curl on CPU 1; configuration from proxies.sh.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
# The variants say whether there is an archive and which flags.
export SIDECAR_JAVA_OPTS="" SIDECAR_ARCHIVE=0
# shellcheck source=bench/proxies.sh
. "$HERE/proxies.sh"
N="${1:-7}"
shift || true
VARIANTS=("$@")
[ ${#VARIANTS[@]} -gt 0 ] || VARIANTS=("$(SIDECAR_ARCHIVE=1 sidecar_archive_opts) $(unit_java_opts)" "$(unit_java_opts)")

[ -f "$JAR" ] || { echo "no jar at $JAR (mvn -B package -DskipTests)" >&2; exit 1; }
bench_certificate
sidecar_config 0

# A backend that answers 200 to anything, on CPU 1; all that matters is that the route answers.
taskset -c 1 python3 -c '
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()' "$ECHO_GATE" &
BACKEND=$!
PROXY_PID=""
cleanup() {
  [ -z "$PROXY_PID" ] || kill "$PROXY_PID" 2>/dev/null || true
  kill "$BACKEND" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

ready() {
  [ "$(taskset -c 1 curl -sk --max-time 1 --resolve "localhost:$PROXY_PORT:127.0.0.1" -o /dev/null \
    -w '%{http_code}' "https://localhost:$PROXY_PORT/gate/" 2>/dev/null)" = 200 ]
}

# One start of variant $1; prints "wall_ms cpu_ms".
start_once() {
  local jar=$JAR opts=$1 t0 t1 ticks i
  if [[ $opts == @* ]]; then
    jar=${opts%% *}
    jar=${jar#@}
    [[ $opts == *" "* ]] && opts=${opts#* } || opts=""
  fi
  if [[ $opts =~ -XX:SharedArchiveFile=([^ ]+) ]]; then
    sidecar_archive "$jar" "${BASH_REMATCH[1]}"
  fi
  t0=$(date +%s%N)
  # shellcheck disable=SC2086 # opts is a list of flags
  ( set -f; taskset -pc 0 "$BASHPID" >/dev/null && JAVA_HOME="$SIDECAR_JAVA_HOME" \
    exec "$BENCH_DIR/../systemd/pomelo-sidecar-java" -XX:ActiveProcessorCount=1 $opts -jar "$jar" run \
    --config "$WORK/sidecar/sidecar.yaml" ) > "$WORK/startup.log" 2>&1 &
  PROXY_PID=$!
  for ((i = 0; ; i++)); do
    if ready; then
      t1=$(date +%s%N)
      ticks=$(awk '{print $14 + $15}' "/proc/$PROXY_PID/stat")
      break
    fi
    if ! kill -0 "$PROXY_PID" 2>/dev/null || [ "$i" -gt 3000 ]; then
      echo "the sidecar did not become ready:" >&2
      tail -20 "$WORK/startup.log" >&2
      return 1
    fi
    sleep 0.01
  done
  kill "$PROXY_PID"
  wait "$PROXY_PID" 2>/dev/null || true
  PROXY_PID=""
  echo "$(( (t1 - t0) / 1000000 )) $(( ticks * 1000 / $(getconf CLK_TCK) ))"
}

median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }

declare -A WALL CPU
for ((round = 1; round <= N; round++)); do
  for v in "${!VARIANTS[@]}"; do
    read -r wall cpu < <(start_once "${VARIANTS[$v]}")
    WALL[$v]+="$wall "
    CPU[$v]+="$cpu "
    printf 'round %d  %-60s wall %5d ms  cpu %5d ms\n' "$round" "'${VARIANTS[$v]}'" "$wall" "$cpu" >&2
  done
done
echo "median of $N starts, pinned to one CPU ($(sidecar_java -version 2>&1 | head -1)):"
for v in "${!VARIANTS[@]}"; do
  printf '  wall %5d ms  cpu %5d ms  %s\n' "$(tr ' ' '\n' <<< "${WALL[$v]}" | grep . | median)" \
    "$(tr ' ' '\n' <<< "${CPU[$v]}" | grep . | median)" "'${VARIANTS[$v]}'"
done

#!/usr/bin/env bash
# Soak test: runs the sidecar jar for a while under connection churn, backend restarts and servers.json rewrites,
# all on loopback, and prints each minute its open descriptors, heap after a full GC, and RSS; then a verdict,
# flat or growing. Usage: bench/soak.sh [--minutes N] [--no-build]   (default 10 minutes)
set -euo pipefail

minutes=10
build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,4p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if [ "$build" = 1 ] || [ ! -f target/pomelo-sidecar.jar ] || [ ! -d target/test-classes ]; then
  mvn -B -o -q -DskipTests -Dpomelo.npm.skip=true package >/dev/null
fi
cp_file="$(mktemp)"
mvn -B -o -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null
test_cp="target/test-classes:target/classes:$(cat "$cp_file")"
rm -f "$cp_file"

work="$(mktemp -d "${TMPDIR:-/tmp}/pomelo-soak.XXXXXX")"
# Logs stay out of the watched directory: the sidecar reloads on any event there, and a log written beside
# servers.json would make every reload's log line trigger the next one.
conf="$work/conf"
mkdir -p "$conf"
driver_pid=""
sidecar_pid=""
cleanup() {
  [ -n "$sidecar_pid" ] && kill "$sidecar_pid" 2>/dev/null || true
  [ -n "$driver_pid" ] && kill "$driver_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  if [ -n "${SOAK_KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$conf/key.pem" -out "$conf/cert.pem" 2>/dev/null

# The driver outlasts the start-up, the warm-up and the sampling, so the last sample is under load too; it is
# stopped after that, for one more sample with every client gone.
java -cp "$test_cp" io.pomelo.sidecar.bench.SoakDriver "$conf" "$(awk "BEGIN {print $minutes + 2}")" \
  >"$work/driver.log" 2>&1 &
driver_pid=$!
for _ in $(seq 1 100); do [ -f "$conf/sidecar.port" ] && break; sleep 0.2; done
port="$(cat "$conf/sidecar.port")"

cat >"$conf/sidecar.yaml" <<YAML
listen:
  host: 127.0.0.1
  port: $port
tls:
  certificates:
    - certFile: cert.pem
      keyFile: key.pem
pomelo:
  serversFile: servers.json
  environment: development
admin:
  host: 127.0.0.1
  port: 0
state:
  dir: ../state
YAML

java -Xmx256m -jar target/pomelo-sidecar.jar run --config "$conf/sidecar.yaml" >"$work/sidecar.log" 2>&1 &
sidecar_pid=$!
for _ in $(seq 1 100); do grep -q "listening on" "$work/sidecar.log" && break; sleep 0.2; done
grep -q "listening on" "$work/sidecar.log" || { echo "the sidecar did not start:"; cat "$work/sidecar.log"; exit 1; }
touch "$conf/go"

sample() {
  jcmd "$sidecar_pid" GC.run >/dev/null
  local heap fds rss
  heap="$(jcmd "$sidecar_pid" GC.heap_info | awk '/used/ {for (i = 1; i <= NF; i++) if ($i == "used") {v = $(i+1); sub(/K.*/, "", v); print int(v / 1024); exit}}')"
  fds="$(ls "/proc/$sidecar_pid/fd" | wc -l)"
  rss="$(awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$sidecar_pid/status")"
  echo "$fds $heap $rss"
}

echo "soak: $minutes minutes, sidecar pid $sidecar_pid on 127.0.0.1:$port, work dir $work"
printf '%-8s %-12s %-16s %-8s\n' minute descriptors "heap after GC" RSS
sleep 20   # warm-up: pools, JIT, the long-lived connections
samples=()
for m in $(seq 0 "$minutes"); do
  [ "$m" -gt 0 ] && sleep 60
  kill -0 "$sidecar_pid" 2>/dev/null || { echo "the sidecar died:"; tail -20 "$work/sidecar.log"; exit 1; }
  read -r fds heap rss < <(sample)
  samples+=("$fds $heap $rss")
  printf '%-8s %-12s %-16s %-8s\n' "$m" "$fds" "${heap} MB" "${rss} MB"
done

kill "$driver_pid" 2>/dev/null || true
wait "$driver_pid" 2>/dev/null || true
driver_pid=""
sleep 5
read -r idle_fds idle_heap idle_rss < <(sample)
printf '%-8s %-12s %-16s %-8s\n' "idle" "$idle_fds" "${idle_heap} MB" "${idle_rss} MB"

echo "driver:"
sed 's/^/  /' "$work/driver.log" | grep -v '^  *$' | tail -5
echo "sidecar log: $(grep -c ' WARN ' "$work/sidecar.log" || true) warnings, $(grep -c ' ERROR ' "$work/sidecar.log" || true) errors, $(grep -c 'reload (' "$work/sidecar.log" || true) reloads"
# What the warnings and errors said, counted by message with the varying details (addresses, numbers) blanked, so
# a run says what happened before its work directory goes.
grep -E ' (WARN|ERROR) ' "$work/sidecar.log" | sed -E 's/^[0-9-]+ [0-9:.]+ //; s/[0-9]+/N/g' | sort | uniq -c \
  | sort -rn | head -10 | sed 's/^/  /' || true

# Growing: the last sample exceeds the first by more than noise (descriptors: 10% + 20; heap: 20% + 8 MB;
# RSS: 25% + 32 MB; RSS settles slowly as the JVM commits memory, so it has the widest margin).
read -r f0 h0 r0 <<<"${samples[0]}"
read -r f1 h1 r1 <<<"${samples[${#samples[@]}-1]}"
verdict=flat
reasons=()
if [ "$f1" -gt $(( f0 + f0 / 10 + 20 )) ]; then verdict=growing; reasons+=("descriptors $f0 -> $f1"); fi
if [ "$h1" -gt $(( h0 + h0 / 5 + 8 )) ]; then verdict=growing; reasons+=("heap $h0 -> $h1 MB"); fi
if [ "$r1" -gt $(( r0 + r0 / 4 + 32 )) ]; then verdict=growing; reasons+=("RSS $r0 -> $r1 MB"); fi
# With every client gone, only the listener, the JVM's own files and epoll remain: nothing held for the departed.
if [ "$idle_fds" -gt 64 ]; then verdict=growing; reasons+=("$idle_fds descriptors open with no client"); fi
echo "verdict: $verdict ${reasons[*]:-}"
[ "$verdict" = flat ]

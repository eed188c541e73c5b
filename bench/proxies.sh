# The four proxies under test, each with the same job: TLS 1.3 on 127.0.0.1:$PROXY_PORT with the bench
# certificate, /gate/ -> echo backend 1 and /conn/ -> echo backend 2 (paths passed on unchanged), WebSocket
# upgrades tunnelled, no read timeout worth the name (1 h), one worker/thread, no access log, X-Forwarded-For/Proto
# set (the sidecar always sets them). Routes /new1/../newN/ (to echo backend 1) are what a reload adds.
#
# Sourced by run.sh, startup.sh and reload.sh. Each proxy has: <name>_config N (write its configuration with N extra
# routes), <name>_start (exec in the foreground; run.sh backgrounds it pinned to CPU 0), <name>_reload N.
# The environment below has defaults here, so that every script measures the same set-up.

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export WORK="${WORK:-$BENCH_DIR/work}"
export PROXY_PORT="${PROXY_PORT:-18443}" ECHO_GATE="${ECHO_GATE:-19001}" ECHO_CONN="${ECHO_CONN:-19002}"
export ADMIN_PORT="${ADMIN_PORT:-19090}" CADDY_ADMIN_PORT="${CADDY_ADMIN_PORT:-19091}"
export JAR="${JAR:-$(dirname "$BENCH_DIR")/target/pomelo-sidecar.jar}"
# The flags the sidecar runs with besides -XX:ActiveProcessorCount=1 and the class-data archive (SIDECAR_ARCHIVE=0:
# none; see sidecar_archive below). By default the service's own, from its environment file, less what names the
# service's directories (the archive, the GC log, Netty's workdir): the bench measures what the unit runs.
unit_java_opts() {
  local - line opt out=()
  set -f # the CompileCommand patterns hold '*'
  line=$(grep '^JAVA_OPTS=' "$(dirname "$BENCH_DIR")/systemd/pomelo-sidecar.default")
  line=${line#JAVA_OPTS=\"}
  for opt in ${line%\"}; do
    case $opt in
      -XX:SharedArchiveFile=* | -Xshare:* | -Xlog:gc*:file=* | -Dio.netty.native.workdir=*) ;;
      *) out+=("$opt") ;;
    esac
  done
  echo "${out[*]}"
}
export SIDECAR_JAVA_OPTS="${SIDECAR_JAVA_OPTS-$(unit_java_opts)}"
# The sidecar runs as the unit runs it, through systemd/pomelo-sidecar-java, with the flags its Java needs: on
# SIDECAR_JAVA_HOME's Java (e.g. /usr/lib/jvm/temurin-25-jdk-amd64), else /usr/bin/java. The load generator and the
# backends stay on the PATH's java.
export SIDECAR_JAVA_HOME="${SIDECAR_JAVA_HOME:-}"
sidecar_java() { JAVA_HOME="$SIDECAR_JAVA_HOME" "$(dirname "$BENCH_DIR")/systemd/pomelo-sidecar-java" "$@"; }

# The certificate every proxy serves: ECDSA P-256 for localhost and 127.0.0.1.
bench_certificate() {
  [ -f "$WORK/cert.pem" ] && return 0
  mkdir -p "$WORK"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
    -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
}

# ---------------------------------------------------------------- nginx
nginx_config() {
  local extra="" i
  for ((i = 1; i <= $1; i++)); do
    extra+="    location /new$i/ { proxy_pass http://127.0.0.1:$ECHO_GATE; }
"
  done
  mkdir -p "$WORK/nginx"
  cat > "$WORK/nginx/nginx.conf.tmp" <<EOF
worker_processes 1;
worker_rlimit_nofile 20000;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
daemon off;
events {
  worker_connections 19500;
  use epoll;
}
http {
  access_log off;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  map \$http_upgrade \$connection_upgrade { default upgrade; '' close; }
  proxy_http_version 1.1;
  proxy_set_header Upgrade \$http_upgrade;
  proxy_set_header Connection \$connection_upgrade;
  proxy_set_header Host \$host;
  proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
  proxy_set_header X-Forwarded-Proto https;
  proxy_connect_timeout 3s;
  proxy_read_timeout 3600s;
  proxy_send_timeout 3600s;
  server {
    listen 127.0.0.1:$PROXY_PORT ssl;
    ssl_certificate $WORK/cert.pem;
    ssl_certificate_key $WORK/key.pem;
    ssl_protocols TLSv1.3;
    location /gate/ { proxy_pass http://127.0.0.1:$ECHO_GATE; }
    location /conn/ { proxy_pass http://127.0.0.1:$ECHO_CONN; }
$extra  }
}
EOF
  mv "$WORK/nginx/nginx.conf.tmp" "$WORK/nginx/nginx.conf"
}
nginx_start() { exec nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf"; }
nginx_reload() { nginx_config "$1" && nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -s reload; }

# ---------------------------------------------------------------- HAProxy (master-worker; reload = SIGUSR2)
haproxy_config() {
  local uses="" backends="" i
  for ((i = 1; i <= $1; i++)); do
    uses+="  use_backend new$i if { path_beg /new$i/ }
"
    backends+="backend new$i
  server s1 127.0.0.1:$ECHO_GATE
"
  done
  mkdir -p "$WORK/haproxy"
  cat "$WORK/cert.pem" "$WORK/key.pem" > "$WORK/haproxy/site.pem"
  cat > "$WORK/haproxy/haproxy.cfg.tmp" <<EOF
global
  nbthread 1
  maxconn 9900
  pidfile $WORK/haproxy/haproxy.pid
defaults
  mode http
  option forwardfor
  timeout connect 3s
  timeout client 1h
  timeout server 1h
  timeout tunnel 1h
  timeout http-request 10s
frontend public
  bind 127.0.0.1:$PROXY_PORT ssl crt $WORK/haproxy/site.pem ssl-min-ver TLSv1.3 alpn http/1.1
  http-request set-header X-Forwarded-Proto https
  use_backend gate if { path_beg /gate/ }
  use_backend conn if { path_beg /conn/ }
$uses
backend gate
  server s1 127.0.0.1:$ECHO_GATE
backend conn
  server s1 127.0.0.1:$ECHO_CONN
$backends
EOF
  mv "$WORK/haproxy/haproxy.cfg.tmp" "$WORK/haproxy/haproxy.cfg"
}
haproxy_start() { exec haproxy -W -db -f "$WORK/haproxy/haproxy.cfg"; }
haproxy_reload() { haproxy_config "$1" && kill -USR2 "$(cat "$WORK/proxy.pid")"; }

# ---------------------------------------------------------------- Caddy (GOMAXPROCS=1; reload through its admin API)
caddy_config() {
  local extra="" i
  for ((i = 1; i <= $1; i++)); do
    extra+="  handle /new$i/* {
    reverse_proxy 127.0.0.1:$ECHO_GATE
  }
"
  done
  mkdir -p "$WORK/caddy"
  cat > "$WORK/caddy/Caddyfile.tmp" <<EOF
{
  admin 127.0.0.1:$CADDY_ADMIN_PORT
  auto_https off
  default_sni localhost
  servers {
    protocols h1
  }
}
https://localhost:$PROXY_PORT, https://127.0.0.1:$PROXY_PORT {
  bind 127.0.0.1
  tls $WORK/cert.pem $WORK/key.pem {
    protocols tls1.3
  }
  handle /gate/* {
    reverse_proxy 127.0.0.1:$ECHO_GATE
  }
  handle /conn/* {
    reverse_proxy 127.0.0.1:$ECHO_CONN
  }
$extra}
EOF
  mv "$WORK/caddy/Caddyfile.tmp" "$WORK/caddy/Caddyfile"
}
caddy_start() {
  export GOMAXPROCS=1 XDG_DATA_HOME="$WORK/caddy/data" XDG_CONFIG_HOME="$WORK/caddy/config"
  exec caddy run --adapter caddyfile --config "$WORK/caddy/Caddyfile"
}
caddy_reload() {
  caddy_config "$1" && XDG_DATA_HOME="$WORK/caddy/data" XDG_CONFIG_HOME="$WORK/caddy/config" \
    caddy reload --adapter caddyfile --config "$WORK/caddy/Caddyfile" --address "127.0.0.1:$CADDY_ADMIN_PORT" >/dev/null 2>&1
}

# ---------------------------------------------------------------- pomelo-sidecar
# The key exchanges the sidecar agrees to (tls.groups). Its default puts the post-quantum hybrid X25519MLKEM768
# first, which the bench's client (BoringSSL) offers; the peers (OpenSSL 3.0, Go 1.19) cannot agree to it and do
# X25519 with the same client. This list gives the sidecar the same work; SIDECAR_GROUPS=default measures its default.
SIDECAR_GROUPS="${SIDECAR_GROUPS:-X25519, P-256, P-384}"
# Its reload is Pomelo's own: servers.json gains a frontend server type newN (clientPort = echo backend 1), which
# becomes the route /newN/. The file is replaced by rename, as a deploy does.
sidecar_servers() {
  local extra="" i
  for ((i = 1; i <= $1; i++)); do
    extra+=",
    \"new$i\": [{\"id\": \"new$i-server-1\", \"host\": \"127.0.0.1\", \"clientPort\": $ECHO_GATE, \"frontend\": true}]"
  done
  mkdir -p "$WORK/sidecar/state"
  cat > "$WORK/sidecar/servers.json.tmp" <<EOF
{
  "production": {
    "gate": [{"id": "gate-server-1", "host": "127.0.0.1", "clientPort": $ECHO_GATE, "frontend": true}],
    "connector": [{"id": "connector-server-1", "host": "127.0.0.1", "port": 4050, "clientPort": $ECHO_CONN,
                   "frontend": true}]$extra
  }
}
EOF
  mv "$WORK/sidecar/servers.json.tmp" "$WORK/sidecar/servers.json"
}
sidecar_config() {
  sidecar_servers "$1"
  [ "${SIDECAR_ARCHIVE:-1}" = 0 ] || sidecar_archive "$JAR" "$(sidecar_archive_file)"
  local groups=""
  [ "$SIDECAR_GROUPS" = default ] || groups="  groups: [$SIDECAR_GROUPS]"
  cat > "$WORK/sidecar/sidecar.yaml.tmp" <<EOF
listen:
  host: 127.0.0.1
  port: $PROXY_PORT
tls:
  certificates:
    - certFile: $WORK/cert.pem
      keyFile: $WORK/key.pem
$groups
pomelo:
  serversFile: $WORK/sidecar/servers.json
  environment: production
routes:
  aliases:
    - path: /conn/
      serverType: connector
proxy:
  connectTimeout: 3s
  upgradeTimeout: 10s
admin:
  host: 127.0.0.1
  port: $ADMIN_PORT
# Like access_log off for the others: the sidecar's access log is on by default.
accessLog:
  enabled: false
# The peers have no connection limits; the sidecar's per-address defaults (1000 open, 100 new per second) would
# refuse the idle and handshake scenarios, which all come from 127.0.0.1.
limits:
  connections: 0
  connectionsPerAddress: 0
  connectionRatePerAddress: 0
state:
  dir: $WORK/sidecar/state
EOF
  # Replaced only when it changed (a knob between runs), never rewritten by a reload's call.
  if cmp -s "$WORK/sidecar/sidecar.yaml.tmp" "$WORK/sidecar/sidecar.yaml"; then
    rm "$WORK/sidecar/sidecar.yaml.tmp"
  else
    mv "$WORK/sidecar/sidecar.yaml.tmp" "$WORK/sidecar/sidecar.yaml"
  fi
}
# shellcheck disable=SC2086 # SIDECAR_JAVA_OPTS is a list of flags
sidecar_start() {
  set -f # the CompileCommand patterns hold '*'
  # The unit's environment besides JAVA_OPTS (glibc's malloc arenas).
  export $(grep '^MALLOC_ARENA_MAX=' "$(dirname "$BENCH_DIR")/systemd/pomelo-sidecar.default")
  JAVA_HOME="$SIDECAR_JAVA_HOME" exec "$(dirname "$BENCH_DIR")/systemd/pomelo-sidecar-java" -XX:ActiveProcessorCount=1 \
    $(sidecar_archive_opts) $SIDECAR_JAVA_OPTS -jar "$JAR" run --config "$WORK/sidecar/sidecar.yaml"
}
# servers.json alone: what a deploy changes, and no work on the load generator's core beyond the rename.
sidecar_reload() { sidecar_servers "$1"; }

# The class-data archive (AppCDS) the sidecar starts with, made as the service's installation makes it
# (systemd/install.sh, the package's postinst): `class-archive`, a training start of the same jar. Made again when
# the jar is newer. SIDECAR_ARCHIVE=0 measures without one.
sidecar_archive() {
  local jar=$1 archive=$2
  [ "$archive" -nt "$jar" ] && return 0
  sidecar_java -jar "$jar" class-archive "$archive" >/dev/null
}
# One archive per Java: one made by another Java is ignored, with a warning. The Java is asked once per bench run,
# here, and exported: asked in sidecar_start, its ~0.2 s would count in start-to-ready; asked by every reload.sh,
# a JVM start on the load generator's core cut every proxy's throughput in the second of each reload.
if [ -z "${SIDECAR_ARCHIVE_FILE:-}" ]; then
  SIDECAR_ARCHIVE_FILE=$(sidecar_java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.home = //p')
  export SIDECAR_ARCHIVE_FILE="$WORK/sidecar/app-${SIDECAR_ARCHIVE_FILE##*/}.jsa"
fi
sidecar_archive_file() { echo "$SIDECAR_ARCHIVE_FILE"; }
sidecar_archive_opts() {
  [ "${SIDECAR_ARCHIVE:-1}" = 0 ] || echo "-XX:SharedArchiveFile=$(sidecar_archive_file) -Xshare:auto"
}

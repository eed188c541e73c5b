#!/usr/bin/env bash
# reload.sh PROXY N: give PROXY (nginx, haproxy, caddy, sidecar) its configuration with routes /new1/../newN/ and
# make it reload. Run by the load generator during the reload scenario; the environment comes from run.sh.
set -euo pipefail
# shellcheck source=bench/proxies.sh
. "$(dirname "$0")/proxies.sh"
"$1_reload" "$2"

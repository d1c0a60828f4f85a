#!/usr/bin/env bash
# Runs erddapy 3.3.1 and argopy 1.5.0, unchanged, against `halocline serve` over the bundled sample on a
# free loopback port (scripts/erddap_clients.py holds the checks). The venv (scripts/pyenv.sh) lives under ~/.cache; when
# pip itself fails the run is skipped with a visible message, except in CI. Usage: scripts/erddap_clients.sh [path/to/halocline]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-${CARGO_TARGET_DIR:-target}/debug/halocline}
# pinned: scripts/requirements/erddap.txt. In CI a failed install fails the run; elsewhere it is a visible skip.
if ! venv=$(scripts/pyenv.sh erddap); then
  [ "${CI:-}" = "true" ] && { echo "erddap client venv could not be installed"; exit 1; }
  echo "SKIPPED: ERDDAP client tests (pip could not install erddapy/argopy)"
  exit 0
fi
tmp=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
"$bin" demo --no-serve --db "sqlite://$tmp/e.db" >/dev/null
# rate limits off: the harness sends bursts from one address (the limits have their own tests)
HALOCLINE_RATE_LIMIT=off "$bin" serve --db "sqlite://$tmp/e.db" --bind "127.0.0.1:$port" >"$tmp/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/erddap/version" >/dev/null 2>&1 && break
  sleep 0.1
done
ERDDAP_URL="http://127.0.0.1:$port/erddap" HALOCLINE_FIXTURE="$PWD/data/sample/argo/erddap_ArgoFloats_6902746_cyc34.nc" \
  HOME="$tmp" "$venv/bin/pytest" -q -p no:cacheprovider scripts/erddap_clients.py

#!/usr/bin/env bash
# Lints a scrape of halocline's /metrics with `promtool check metrics`: ingests the bundled sample into a
# temporary store, serves it on a free loopback port (metrics also on a second one), sends a few requests
# so the HTTP metrics exist, scrapes both ports and stops the server. Usage: scripts/check_metrics.sh [halocline]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-${CARGO_TARGET_DIR:-target}/debug/halocline}
tmp=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
port=$(free_port)
mport=$(free_port)
"$bin" demo --no-serve --db "sqlite://$tmp/m.db" >/dev/null
"$bin" serve --db "sqlite://$tmp/m.db" --bind "127.0.0.1:$port" --metrics-bind "127.0.0.1:$mport" >"$tmp/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  sleep 0.1
done
for path in /health /api/platforms /api/profiles/4900590_097 /api/profiles/0_0 /api/v1/metrics/performance; do
  curl -s -o /dev/null "http://127.0.0.1:$port$path"
done
curl -fs "http://127.0.0.1:$port/metrics" >"$tmp/api.txt"
curl -fs "http://127.0.0.1:$mport/metrics" >"$tmp/port.txt"
promtool check metrics <"$tmp/api.txt"
promtool check metrics <"$tmp/port.txt"
grep -E '^ocean_(records_total|avg_sst_celsius|avg_health_score) ' "$tmp/port.txt"
echo "promtool check metrics: $(grep -c '^# HELP' "$tmp/api.txt") metrics with HELP, no lint problems"

#!/usr/bin/env bash
# Browser tests of the dashboard (web/tests/browser.mjs) in Debian's headless Chromium: starts
# `halocline serve` over a fresh demo store on a free loopback port, runs the tests, stops the server.
# Screenshots go to web/test-artifacts/ (gitignored). Usage: scripts/browser-tests.sh [path/to/halocline]
# Needs node_modules in web/ (npm ci) and /usr/bin/chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-${CARGO_TARGET_DIR:-target}/debug/halocline}
tmp=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
"$bin" demo --no-serve --db "sqlite://$tmp/web.db" >/dev/null
# rate limits off: the harness sends bursts from one address (the limits have their own tests)
HALOCLINE_RATE_LIMIT=off HALOCLINE_INGEST_KEY=browser-test-key "$bin" serve --db "sqlite://$tmp/web.db" --bind "127.0.0.1:$port" >"$tmp/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  sleep 0.1
done
(cd web && node tests/browser.mjs "http://127.0.0.1:$port" "${BROWSER_ARTIFACTS:-test-artifacts}")

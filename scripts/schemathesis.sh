#!/usr/bin/env bash
# Fuzzes the REST API from its own OpenAPI document with schemathesis (PyPI): every generated request
# must get an answer that is not a server error. Starts `halocline serve` over the bundled sample on a
# free loopback port and stops it at the end. Usage: scripts/schemathesis.sh [path/to/halocline]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-${CARGO_TARGET_DIR:-target}/debug/halocline}
venv=$(scripts/pyenv.sh schemathesis)  # pinned: scripts/requirements/schemathesis.txt
tmp=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
"$bin" demo --no-serve --db "sqlite://$tmp/st.db" >/dev/null
# rate limits off: the harness sends bursts from one address (the limits have their own tests)
HALOCLINE_RATE_LIMIT=off HALOCLINE_INGEST_KEY=schemathesis-key "$bin" serve --db "sqlite://$tmp/st.db" --bind "127.0.0.1:$port" >"$tmp/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  sleep 0.1
done
# A run fails on a server error (what we test) or on an error inside schemathesis itself (hypothesis has
# flaky internal errors); the latter is retried, the former never.
for attempt in 1 2 3; do
  rc=0
  "$venv/bin/schemathesis" run "http://127.0.0.1:$port/api/openapi.json" \
    --exclude-path /api/events --checks not_a_server_error --max-examples "${SCHEMATHESIS_EXAMPLES:-30}" --workers 2 \
    --header "Authorization: Bearer schemathesis-key" >"$tmp/st.log" 2>&1 || rc=$?
  if [ "$rc" -eq 0 ]; then
    tail -n 12 "$tmp/st.log"
    exit 0
  fi
  if grep -q "Server error" "$tmp/st.log" || ! grep -q "Runtime Error" "$tmp/st.log"; then
    cat "$tmp/st.log"
    echo "schemathesis found failures (exit $rc)"
    exit "$rc"
  fi
  echo "schemathesis attempt $attempt hit an internal error of the tool; retrying"
done
tail -n 40 "$tmp/st.log"
exit 1

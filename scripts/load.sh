#!/usr/bin/env bash
# Steady loopback load on three routes of `halocline serve` (release build, the bundled demo data) with
# wrk: MINUTES consecutive one-minute runs (default 10), CONNECTIONS connections (default 4), each
# pausing DELAY_MS ms between requests (default 2) so the load is bounded on a shared machine. Prints a
# line per minute (client p50/p99, requests, errors, the server's own p50/p95 from
# /api/v1/metrics/performance, the load average) and passes when the last minute's p50 is within 20 % of
# the first minute's and no request failed. Not part of CI (it takes MINUTES minutes; RUN_SECONDS=5
# shortens each run for a smoke test).
# Usage: cargo build --release -p halocline && scripts/load.sh [path/to/halocline]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-${CARGO_TARGET_DIR:-target}/release/halocline}
minutes=${MINUTES:-10}
run_seconds=${RUN_SECONDS:-60}
conns=${CONNECTIONS:-4}
delay=${DELAY_MS:-2}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk"; exit 2; }
[ -x "$bin" ] || { echo "no binary at $bin: cargo build --release -p halocline"; exit 2; }
tmp=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
"$bin" demo --no-serve --db "sqlite://$tmp/load.db" >/dev/null
HALOCLINE_LOG=error "$bin" serve --db "sqlite://$tmp/load.db" --bind "127.0.0.1:$port" >"$tmp/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  sleep 0.1
done
routes=(
  "/api/profiles/4900590_097"
  "/api/series?platform=44005&variable=sea_surface_temperature&startDate=2012-07-01&endDate=2012-07-08"
  "/api/reefs/florida_keys/heatstress?startDate=2023-07-01&endDate=2023-10-01"
)
for r in "${routes[@]}"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$r")
  [ "$code" = 200 ] || { echo "$r answered $code before the load"; exit 1; }
done
{
  echo "local paths = {"
  for r in "${routes[@]}"; do echo "  \"$r\","; done
  echo "}"
  cat <<LUA
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
delay = function() return $delay end
LUA
} >"$tmp/routes.lua"

echo "halocline $("$bin" --version | awk '{print $2}') on 127.0.0.1:$port; wrk: $conns connections, ${delay} ms pause, 3 routes, $minutes x $run_seconds s"
printf '%-6s %9s %8s %10s %10s %7s %11s %11s %s\n' minute requests req/s p50_ms p99_ms errors srv_p50_ms srv_p95_ms loadavg
to_ms() { # wrk prints 812.00us, 1.23ms, 2.01s
  python3 -c 'import sys,re; v=sys.argv[1]; m=re.match(r"([0-9.]+)(us|ms|s|m)$", v); f={"us":1e-3,"ms":1,"s":1e3,"m":6e4}; print(round(float(m.group(1))*f[m.group(2)],3))' "$1"
}
first="" last="" total_errors=0
for m in $(seq 1 "$minutes"); do
  wrk -t1 -c"$conns" -d"${run_seconds}s" --latency -s "$tmp/routes.lua" "http://127.0.0.1:$port" >"$tmp/wrk.txt" 2>&1
  p50=$(to_ms "$(awk '$1=="50%"{print $2}' "$tmp/wrk.txt")")
  p99=$(to_ms "$(awk '$1=="99%"{print $2}' "$tmp/wrk.txt")")
  reqs=$(awk '/requests in/{print $1}' "$tmp/wrk.txt")
  rps=$(awk '/Requests\/sec/{print $2}' "$tmp/wrk.txt")
  non2xx=$(awk '/Non-2xx/{print $NF}' "$tmp/wrk.txt"); non2xx=${non2xx:-0}
  sock=$(awk '/Socket errors/{gsub(",","");print $4+$6+$8+$10}' "$tmp/wrk.txt"); sock=${sock:-0}
  errors=$((non2xx + sock))
  total_errors=$((total_errors + errors))
  perf=$(curl -fs "http://127.0.0.1:$port/api/v1/metrics/performance")
  sp50=$(python3 -c 'import json,sys; p=json.loads(sys.argv[1])["latency_ms"]; print(p["p50"] if p else "-")' "$perf")
  sp95=$(python3 -c 'import json,sys; p=json.loads(sys.argv[1])["latency_ms"]; print(p["p95"] if p else "-")' "$perf")
  printf '%-6s %9s %8s %10s %10s %7s %11s %11s %s\n' "$m" "$reqs" "$rps" "$p50" "$p99" "$errors" "$sp50" "$sp95" "$(cut -d' ' -f1-3 /proc/loadavg)"
  [ -z "$first" ] && first=$p50
  last=$p50
done
python3 - "$first" "$last" "$total_errors" <<'PY'
import sys
first, last, errors = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
change = (last - first) / first * 100
ok = abs(change) <= 20 and errors == 0
print(f"p50 first minute {first} ms, last minute {last} ms: {change:+.1f} %; errors {errors}: {'PASS' if ok else 'FAIL'}")
sys.exit(0 if ok else 1)
PY

#!/usr/bin/env bash
# halocline's search beside PostgreSQL + PostGIS on the same 1,000,000 rows, back to back in one run.
# The rows are those of ../shared/bench/postgis_profiles.py (numpy seed 42); halocline loads them through
# `halocline bench api --rows` (20 levels each) and times the script's three queries through its REST
# router; then the script itself runs against a throwaway PostgreSQL cluster. Not part of CI (minutes).
# Usage: scripts/bench-postgis.sh [ROWS]   (needs ../shared beside the repo; a python venv is made in ~/.cache)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
shared=../shared/bench
[ -f "$shared/postgis_profiles.py" ] || { echo "needs $shared/postgis_profiles.py" >&2; exit 2; }
venv="${HOME}/.cache/halocline-bench-venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import numpy, psycopg2' 2>/dev/null || "$venv/bin/pip" install -q numpy psycopg2-binary
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$venv/bin/python" - "$shared" "$rows" "$tmp/rows.tsv" <<'PY'
import sys
import numpy as np
sys.path.insert(0, sys.argv[1])
from postgis_profiles import synth_profiles
ids, tim, lon, lat = synth_profiles(int(sys.argv[2]))
ts = np.datetime_as_string(tim, unit="s")
with open(sys.argv[3], "w") as f:
    f.writelines(f"{i}\t{t}\t{x:.5f}\t{y:.5f}\n" for i, t, x, y in zip(ids.tolist(), ts.tolist(), lon.tolist(), lat.tolist()))
PY
cargo build -q --release -p halocline
bin="${CARGO_TARGET_DIR:-target}/release/halocline"
echo "== halocline (SQLite), load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$bin" bench api --rows "$tmp/rows.tsv" --db "$tmp/pg-rows.db" --requests 50 --only a,pg-box,pg-radius,pg-radius-month
echo "== PostGIS (../shared/bench/postgis_profiles.py), load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$venv/bin/python" "$shared/postgis_profiles.py" --rows "$rows"

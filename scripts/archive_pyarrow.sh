#!/usr/bin/env bash
# Retention end to end on the bundled sample: archive rows older than ~13 years (CSV.gz + Parquet), delete
# them, read every archive with pyarrow (scripts/archive_pyarrow.py), restore, and compare the store's
# checksums before and after. The venv lives under ~/.cache; when pip fails the pyarrow part is skipped
# with a visible message. Usage: scripts/archive_pyarrow.sh [path/to/halocline]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-${CARGO_TARGET_DIR:-target}/debug/halocline}
venv=${HALOCLINE_ARCHIVE_VENV:-${HOME}/.cache/halocline-archive-venv}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db="sqlite://$tmp/a.db"
"$bin" demo --no-serve --db "$db" >/dev/null
"$bin" checksum --db "$db" | grep -E 'profiles|series|heat_stress' >"$tmp/before"
"$bin" retention --db "$db" --archive-days 5000 --archive-dir "$tmp/archive"
"$bin" retention --db "$db" --delete-days 5000
if "$venv/bin/python" -c 'import pyarrow' 2>/dev/null || { python3 -m venv "$venv" && "$venv/bin/pip" install -q pyarrow; }; then
  "$venv/bin/python" scripts/archive_pyarrow.py "$tmp/archive"
else
  echo "SKIPPED: pyarrow check (pip could not install pyarrow)"
fi
"$bin" restore-archive --db "$db" "$tmp/archive"
"$bin" checksum --db "$db" | grep -E 'profiles|series|heat_stress' >"$tmp/after"
diff "$tmp/before" "$tmp/after"
echo "restored rows equal the original ones (row counts and checksums of profiles, series, heat_stress)"

#!/usr/bin/env bash
# Retention end to end on the bundled sample: archive rows older than ~13 years (CSV.gz + Parquet), delete
# them, read every archive with pyarrow (scripts/archive_pyarrow.py), restore, and compare the store's
# checksums before and after. The venv (scripts/pyenv.sh) lives under ~/.cache; when pip fails the pyarrow part is
# skipped with a visible message, except in CI. Usage: scripts/archive_pyarrow.sh [path/to/halocline]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-${CARGO_TARGET_DIR:-target}/debug/halocline}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db="sqlite://$tmp/a.db"
"$bin" demo --no-serve --db "$db" >/dev/null
"$bin" checksum --db "$db" | grep -E 'profiles|series|heat_stress' >"$tmp/before"
"$bin" retention --db "$db" --archive-days 5000 --archive-dir "$tmp/archive"
"$bin" retention --db "$db" --delete-days 5000
if venv=$(scripts/pyenv.sh archive); then  # pinned: scripts/requirements/archive.txt
  "$venv/bin/python" scripts/archive_pyarrow.py "$tmp/archive"
elif [ "${CI:-}" = "true" ]; then
  echo "the pyarrow venv could not be installed"; exit 1
else
  echo "SKIPPED: pyarrow check (pip could not install pyarrow)"
fi
"$bin" restore-archive --db "$db" "$tmp/archive"
"$bin" checksum --db "$db" | grep -E 'profiles|series|heat_stress' >"$tmp/after"
diff "$tmp/before" "$tmp/after"
echo "restored rows equal the original ones (row counts and checksums of profiles, series, heat_stress)"

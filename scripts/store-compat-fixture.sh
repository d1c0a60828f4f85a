#!/bin/sh
# Writes the fixtures of crates/store/tests/compat.rs with the halocline binary of an earlier release: a
# SQLite store (old.db) and a plain-SQL pg_dump of a PostgreSQL schema (old-pg.sql), both made from the
# same files of data/sample, with each one's `halocline checksum` (sqlite.sums, postgres.sums).
#
# Usage, from the repository root: scripts/store-compat-fixture.sh OLD_BINARY [POSTGRES_URL]
# (POSTGRES_URL: a database with PostGIS where schema halocline_compat_fixture may be replaced;
# default postgres://postgres@127.0.0.1:5432/postgres). Needs psql and pg_dump.
set -eu
bin=$(realpath "$1")
pg=${2:-postgres://postgres@127.0.0.1:5432/postgres}
schema=halocline_compat_fixture
out=$(pwd)/crates/store/tests/compat
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The inputs under relative paths (the store keeps the path each file was ingested as).
files="argo/D4900590_097.nc argo/erddap_ArgoFloats_box_2004-01.nc argo/argovis_argo_id_6902746_001.json
argo/13857_meta.nc grids/crw_like_mmm.nc"
for f in $files; do
    mkdir -p "$work/data/sample/$(dirname "$f")"
    cp "data/sample/$f" "$work/data/sample/$f"
done
# Excerpts of three larger files (named as the reader expects): the Florida Keys virtual station's
# header and its last 120 days, the GDAC index's header and first 40 rows, and buoy 41024's first 96
# ocean rows.
mkdir -p "$work/excerpt"
{ head -n 23 data/sample/crw/crw_vs_florida_keys.txt; tail -n 120 data/sample/crw/crw_vs_florida_keys.txt; } \
    > "$work/excerpt/crw_vs_florida_keys_2024.txt"
head -n 49 data/sample/argo/ar_index_global_prof_excerpt.txt > "$work/excerpt/ar_index_global_prof_head.txt"
head -n 98 data/sample/buoy/41024_realtime2_2022-08-13.ocean > "$work/excerpt/41024_realtime2_2022-08-13.ocean"

fill() { # $1: store URL
    (cd "$work" && "$bin" ingest --db "$1" data excerpt > /dev/null)
    HALOCLINE_PASSWORD=compat-fixture "$bin" users add ada --role admin --db "$1" > /dev/null
    "$bin" keys create --name compat --role researcher --db "$1" > /dev/null
}

rm -f "$out/old.db"
fill "sqlite://$work/old.db"
sqlite3 "$work/old.db" "PRAGMA wal_checkpoint(TRUNCATE); VACUUM;"
cp "$work/old.db" "$out/old.db"
# The sums without their first line (the store's URL).
"$bin" checksum --db "sqlite://$out/old.db" | tail -n +2 > "$out/sqlite.sums"

psql -q -v ON_ERROR_STOP=1 "$pg" -c "SET client_min_messages = warning; DROP SCHEMA IF EXISTS $schema CASCADE"
fill "$pg?schema=$schema"
"$bin" checksum --db "$pg?schema=$schema" | tail -n +2 > "$out/postgres.sums"
# Plain SQL that a client can run statement by statement: INSERTs rather than COPY, no psql commands.
pg_dump --schema=$schema --no-owner --no-privileges --column-inserts --format=plain --dbname "$pg" |
    grep -v '^[\]' > "$out/old-pg.sql"
psql -q -v ON_ERROR_STOP=1 "$pg" -c "SET client_min_messages = warning; DROP SCHEMA $schema CASCADE"
ls -l "$out"

"""Reads a halocline retention archive with pyarrow and Python's gzip + csv: every Parquet file has the
manifest's row count and columns, every CSV.gz the same row count, and a profile's levels BLOB is the same
bytes in both (base64 in the CSV). Usage: python archive_pyarrow.py ARCHIVE_DIR"""
import base64
import csv
import gzip
import json
import sys

import pyarrow
import pyarrow.parquet as pq

d = sys.argv[1]
m = json.load(open(f"{d}/MANIFEST.json"))
assert m["format"] == "halocline-archive/1", m["format"]
rows = 0
for e in m["entries"]:
    t = pq.read_table(f"{d}/{e['parquet']}")
    assert t.num_rows == e["rows"], (e["parquet"], t.num_rows, e["rows"])
    assert t.column_names == e["columns"], e["parquet"]
    with gzip.open(f"{d}/{e['csv_gz']}", "rt", newline="") as f:
        r = list(csv.DictReader(f))
    assert len(r) == e["rows"], e["csv_gz"]
    if e["table"] == "profiles":
        for k, row in enumerate(r):
            assert base64.b64decode(row["levels"]) == t.column("levels")[k].as_py(), e["csv_gz"]
    rows += t.num_rows
print(f"pyarrow {pyarrow.__version__}: {len(m['entries'])} Parquet and CSV.gz pairs, {rows} rows, as the manifest says")

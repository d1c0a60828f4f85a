//! Ingest tests: whole sample folders, idempotency, bad files.

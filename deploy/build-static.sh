#!/usr/bin/env bash
# Builds the static halocline binary (glibc, +crt-static: a static PIE that runs on any x86-64 Linux,
# also in a `scratch` image) with the `dist` profile (no debug info, stripped, thin LTO), and prints its
# path. Uses CARGO_TARGET_DIR when set. docs/deploy.md, "One binary".
set -euo pipefail
cd "$(dirname "$0")/.."
target=x86_64-unknown-linux-gnu
RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" \
  cargo build --quiet --locked --profile dist --target "$target" -p halocline
echo "${CARGO_TARGET_DIR:-target}/$target/dist/halocline"

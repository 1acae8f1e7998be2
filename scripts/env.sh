# Shared by the scripts: where builds go and which tools they use. Sourced, not run.
# Build output lives outside the clone so a fresh clone (CI's) reuses it; test
# results are never cached.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/hookflow/target}"
# Every clone (CI makes a new one per run) would keep its own incremental data in
# the shared target folder, gigabytes each; whole-crate builds are enough here.
export CARGO_INCREMENTAL=0
export PATH="$HOME/.cargo/bin:$ROOT/end2end/node_modules/.bin:$PATH"
# Leptos bakes the site's file names in at compile time; both halves must agree.
export LEPTOS_OUTPUT_NAME=hookflow
# Server function URLs carry a hash of a key, by default the crate's absolute
# path. Clones at different paths share the build folder, and cargo may reuse
# one half (wasm or server) built from another clone: their URLs then differ
# and every server call fails. A fixed key keeps the URLs the same everywhere.
export SERVER_FN_OVERRIDE_KEY=hookflow
SITE_ROOT="$ROOT/target/site"
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

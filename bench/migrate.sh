#!/usr/bin/env bash
# Stage-2 benchmark: `mailferry migrate` (release build) of a generated corpus between two
# private Dovecots on 127.0.0.1 — first pass (pull + push together, archive sealed), then a
# no-op delta pass, then verify. Prints wall time, messages/s, MB/s, CPU and peak RSS.
# Usage: bench/migrate.sh [MESSAGES=5000] [SIZES=realistic|small] [CONNECTIONS=4]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
messages=${1:-5000}; sizes=${2:-realistic}; connections=${3:-4}
build_release
echo "seeding ~$messages messages ($sizes sizes) …" >&2
start_servers "$(mktemp -d /tmp/mfmigrate.XXXXXX)" --corpus "$messages" --sizes "$sizes" --with-target
host=$(state_field host); source_url="imaps://$(state_field user)@$host:$(state_field port)"
target_url="imaps://$(state_field targetUser)@$host:$(state_field targetPort)"
ca_bundle "$work/ca.pem"
run() {
  /usr/bin/time -v -o "$work/time" "$bin/mailferry" migrate --source "$source_url" --target "$target_url" \
    --ca-file "$work/ca.pem" --store "$work/store" --job bench --connections "$connections" --json > "$work/summary.json"
  python3 "$bench_root/bench/figures.py" migrate "$1" "$work/summary.json" "$work/time"
}
echo "corpus: $(state_field folders.corpus) messages, $(state_field folders.corpusBytes) bytes, $connections connections per side" >&2
python3 "$bench_root/bench/figures.py" migrate-header
run first
run "no-op delta"
"$bin/mailferry" verify --target "$target_url" --ca-file "$work/ca.pem" --store "$work/store" --job bench | tail -1

#!/usr/bin/env bash
# Stage-1 benchmark: `mailferry pull` (release build) of a generated corpus from a private
# Dovecot on 127.0.0.1 — full pass with archive sealing, then a no-op delta pass.
# Prints messages/s, MB/s, peak RSS (from /usr/bin/time -v) and wall times.
# Usage: bench/pull.sh [MESSAGES=5000] [SIZES=realistic|small] [CONNECTIONS=4]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
messages=${1:-5000}; sizes=${2:-realistic}; connections=${3:-4}
build_release
echo "seeding ~$messages messages ($sizes sizes) …" >&2
start_servers "$(mktemp -d /tmp/mfpull.XXXXXX)" --corpus "$messages" --sizes "$sizes"
host=$(state_field host); port=$(state_field port); user=$(state_field user)
pull() {
  /usr/bin/time -v -o "$work/time" "$bin/mailferry" pull --source "imaps://$user@$host:$port" --ca-file "$(state_field caFile)" \
    --store "$work/store" --job bench --connections "$connections" --json > "$work/summary.json"
  python3 "$bench_root/bench/figures.py" pull "$1" "$work/summary.json" "$work/time"
}
echo "corpus: $(state_field folders.corpus) messages, $(state_field folders.corpusBytes) bytes, $connections connections" >&2
python3 "$bench_root/bench/figures.py" pull-header
pull full
pull "no-op delta"

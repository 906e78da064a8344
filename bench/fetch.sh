#!/usr/bin/env bash
# Foundation benchmark: FETCH of one 40 MB message and of 1,000 small ones from a private
# Dovecot on 127.0.0.1, through mailferry's IMAP client (TLS, streaming to files).
# Prints MB/s, messages/s and peak RSS (from /usr/bin/time -v) per case.
# Usage: bench/fetch.sh [SMALL_COUNT] [LARGE_MB]
set -euo pipefail
cd "$(dirname "$0")/.."
small=${1:-1000}
large=${2:-40}
scripts/install-deps
swift build -c release --product mailferry-bench >/dev/null
bin=.build/release/mailferry-bench
work=$(mktemp -d /tmp/mfbench.XXXXXX)
state=$work/state.json
"$bin" serve --state "$state" --small-messages "$small" --large-megabytes "$large" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 600); do [ -f "$state" ] && break; sleep 0.2; done
[ -f "$state" ] || { echo "server did not start" >&2; exit 1; }

printf '%-10s %9s %12s %9s %10s %12s %12s\n' case messages bytes seconds "MB/s" "messages/s" "peak RSS MB"
for folder in Large Small; do
  out=$work/out-$folder; mkdir -p "$out"
  result=$(/usr/bin/time -v -o "$work/time-$folder" "$bin" fetch --state "$state" --folder "$folder" --out "$out")
  rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time-$folder")
  python3 - "$result" "$rss_kb" <<'PY'
import json, sys
r = json.loads(sys.argv[1]); rss = int(sys.argv[2]) / 1024
mb = r["bytes"] / 1e6
print(f'{r["folder"]:<10} {r["messages"]:>9} {r["bytes"]:>12} {r["seconds"]:>9.3f} {mb / r["seconds"]:>10.1f} {r["messages"] / r["seconds"]:>12.0f} {rss:>12.1f}')
PY
  rm -rf "$out"
done

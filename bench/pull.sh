#!/usr/bin/env bash
# Stage-1 benchmark: `mailferry pull` (release build) of a generated corpus from a private
# Dovecot on 127.0.0.1 — full pass with archive sealing, then a no-op delta pass.
# Prints messages/s, MB/s, peak RSS (from /usr/bin/time -v) and wall times.
# Usage: bench/pull.sh [MESSAGES=5000] [SIZES=realistic|small] [CONNECTIONS=4]
set -euo pipefail
cd "$(dirname "$0")/.."
messages=${1:-5000}
sizes=${2:-realistic}
connections=${3:-4}
scripts/install-deps
swift build -c release --product mailferry >/dev/null
swift build -c release --product mailferry-bench >/dev/null
bin=.build/release
work=$(mktemp -d /tmp/mfpull.XXXXXX)
state=$work/state.json
echo "seeding ~$messages messages ($sizes sizes) …" >&2
"$bin/mailferry-bench" serve --state "$state" --corpus "$messages" --sizes "$sizes" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 3000); do [ -f "$state" ] && break; sleep 0.2; done
[ -f "$state" ] || { echo "server did not start" >&2; exit 1; }
read -r host port ca user password count bytes < <(python3 -c '
import json,sys; s=json.load(open(sys.argv[1]))
print(s["host"], s["port"], s["caFile"], s["user"], s["password"], s["folders"]["corpus"], s["folders"]["corpusBytes"])' "$state")
export MAILFERRY_SOURCE_PASSWORD=$password
pull() {
  /usr/bin/time -v -o "$work/time" "$bin/mailferry" pull --source "imaps://$user@$host:$port" --ca-file "$ca" \
    --store "$work/store" --job bench --connections "$connections" --json > "$work/summary.json"
  python3 - "$work/summary.json" "$work/time" "$1" <<'PY'
import json, re, sys
summary = json.load(open(sys.argv[1])); timing = open(sys.argv[2]).read()
wall = timing.split("Elapsed (wall clock) time (h:mm:ss or m:ss): ")[1].split("\n")[0]
parts = [float(p) for p in wall.split(":")]; seconds = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", timing).group(1)) / 1024
cpu = float(re.search(r"User time \(seconds\): ([\d.]+)", timing).group(1)) + float(re.search(r"System time \(seconds\): ([\d.]+)", timing).group(1))
mb = summary["bytes"] / 1e6
print(f'{sys.argv[3]:<12} {summary["messages"]:>9} {mb:>10.1f} {seconds:>9.2f} {summary["messages"]/seconds:>10.0f} {mb/seconds:>8.1f} {cpu:>7.1f} {rss:>9.1f}  {summary.get("archive") or "-"}')
PY
}
echo "corpus: $count messages, $(python3 -c "print(f'{$bytes/1e6:.1f}')") MB, $connections connections" >&2
printf '%-12s %9s %10s %9s %10s %8s %7s %9s  %s\n' pass messages MB seconds "msg/s" "MB/s" "CPU s" "RSS MB" archive
pull full
pull "no-op delta"

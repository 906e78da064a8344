#!/usr/bin/env bash
# Stage-2 benchmark: `mailferry migrate` (release build) of a generated corpus between two
# private Dovecots on 127.0.0.1 — first pass (pull + push together, archive sealed), then a
# no-op delta pass. Prints wall time, messages/s, MB/s, CPU and peak RSS (/usr/bin/time -v).
# Usage: bench/migrate.sh [MESSAGES=5000] [SIZES=realistic|small] [CONNECTIONS=4]
set -euo pipefail
cd "$(dirname "$0")/.."
messages=${1:-5000}
sizes=${2:-realistic}
connections=${3:-4}
scripts/install-deps
swift build -c release --product mailferry >/dev/null
swift build -c release --product mailferry-bench >/dev/null
bin=.build/release
work=$(mktemp -d /tmp/mfmigrate.XXXXXX)
state=$work/state.json
echo "seeding ~$messages messages ($sizes sizes) …" >&2
"$bin/mailferry-bench" serve --state "$state" --corpus "$messages" --sizes "$sizes" --with-target &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 3000); do [ -f "$state" ] && break; sleep 0.2; done
[ -f "$state" ] || { echo "servers did not start" >&2; exit 1; }
read -r host port ca user password tport tca tuser count bytes < <(python3 -c '
import json,sys; s=json.load(open(sys.argv[1]))
print(s["host"], s["port"], s["caFile"], s["user"], s["password"], s["targetPort"], s["targetCAFile"], s["targetUser"], s["folders"]["corpus"], s["folders"]["corpusBytes"])' "$state")
cat "$ca" "$tca" > "$work/ca.pem"
export MAILFERRY_SOURCE_PASSWORD=$password MAILFERRY_TARGET_PASSWORD=$password
run() {
  /usr/bin/time -v -o "$work/time" "$bin/mailferry" migrate --source "imaps://$user@$host:$port" --target "imaps://$tuser@$host:$tport" \
    --ca-file "$work/ca.pem" --store "$work/store" --job bench --connections "$connections" --json > "$work/summary.json"
  python3 - "$work/summary.json" "$work/time" "$1" <<'PY'
import json, re, sys
summary = json.load(open(sys.argv[1])); timing = open(sys.argv[2]).read()
wall = timing.split("Elapsed (wall clock) time (h:mm:ss or m:ss): ")[1].split("\n")[0]
parts = [float(p) for p in wall.split(":")]; seconds = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", timing).group(1)) / 1024
cpu = float(re.search(r"User time \(seconds\): ([\d.]+)", timing).group(1)) + float(re.search(r"System time \(seconds\): ([\d.]+)", timing).group(1))
pulled, pushed = summary["pull"]["messages"], summary["push"]["uploaded"]
mb = summary["pull"]["bytes"] / 1e6
print(f'{sys.argv[3]:<12} {pulled:>7} {pushed:>7} {mb:>9.1f} {seconds:>9.2f} {max(pulled, pushed)/seconds:>8.0f} {mb/seconds:>8.1f} {cpu:>7.1f} {rss:>8.1f} {summary["pushRounds"]:>7}')
PY
}
echo "corpus: $count messages, $(python3 -c "print(f'{$bytes/1e6:.1f}')") MB, $connections connections per side" >&2
printf '%-12s %7s %7s %9s %9s %8s %8s %7s %8s %7s\n' pass pulled pushed MB seconds "msg/s" "MB/s" "CPU s" "RSS MB" rounds
run first
run "no-op delta"
"$bin/mailferry" verify --target "imaps://$tuser@$host:$tport" --ca-file "$work/ca.pem" --store "$work/store" --job bench | tail -1

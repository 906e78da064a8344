#!/usr/bin/env bash
# Batch benchmark: `mailferry batch run` (release build) of MAILBOXES source accounts × MESSAGES
# messages each between two private Dovecots, at each CONCURRENCY, on plain loopback and through
# bench/delay-proxy.py adding DELAY_MS each way (both servers). Each run gets fresh target
# accounts and a fresh store. Prints, per run: wall time, messages/s, MB/s, mailferry's CPU
# seconds and peak RSS. --per-host-connections is raised to 2 × concurrency, so the per-host
# cap (default 8, i.e. 4 jobs on one source server) does not hide the scaling being measured.
# Usage: bench/batch.sh [MAILBOXES=20] [MESSAGES=1000] [SIZES=small] ["CONCURRENCY=1 2 4 8"] [DELAY_MS=25]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
mailboxes=${1:-20}; messages=${2:-1000}; sizes=${3:-small}; levels=${4:-1 2 4 8}; delay_ms=${5:-25}
runs=$(( $(wc -w <<< "$levels") * 2 ))
[ "${BENCH_SKIP_BUILD:-}" = 1 ] || build_release
echo "seeding $mailboxes accounts × ~$messages messages ($sizes sizes) …" >&2
start_servers "$(mktemp -d /tmp/mfbatch.XXXXXX)" --corpus "$messages" --sizes "$sizes" \
  --source-accounts "$mailboxes" --with-target --target-accounts $(( mailboxes * runs ))
host=$(state_field host); source_port=$(state_field port); target_port=$(state_field targetPort)
ca_bundle "$work/ca.pem"
per_account=$(state_field folders.corpus); per_account_bytes=$(state_field folders.corpusBytes)
exec 3< <(python3 "$bench_root/bench/delay-proxy.py" "$delay_ms" "$source_port" "$target_port")
proxy=$!
read -r delayed_source <&3; read -r delayed_target <&3
trap 'kill $proxy 2>/dev/null; kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
echo "corpus: $mailboxes × $per_account messages, $(( mailboxes * per_account_bytes / 1000000 )) MB in all" >&2
printf '%-10s %5s %9s %9s %8s %9s %9s %8s\n' link conc wall_s msg/s MB/s cpu_s cpu/GB rss_MB
run=0
for link in loopback "+${delay_ms}ms"; do
  if [ "$link" = loopback ]; then sport=$source_port; tport=$target_port; else sport=$delayed_source; tport=$delayed_target; fi
  for c in $levels; do
    run=$((run + 1))
    csv=$work/run$run.csv
    for i in $(seq 1 "$mailboxes"); do
      user=bench; [ "$i" = 1 ] || user=bench$i
      t=$(( (run - 1) * mailboxes + i )); target=target; [ "$t" = 1 ] || target=target$t
      echo "$host,$user,$MAILFERRY_SOURCE_PASSWORD,$sport,true,$target,$MAILFERRY_TARGET_PASSWORD,false"
    done > "$csv"
    /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$bin/mailferry" batch run "$csv" --name "run$run" \
      --store "$work/store$run" --target-server "imaps://$host:$tport" --ca-file "$work/ca.pem" \
      --concurrency "$c" --per-host-connections $(( 2 * c )) --json > "$work/jobs.json" 2> "$work/stderr" \
      || { echo "run $run failed:" >&2; tail -5 "$work/stderr" >&2; exit 1; }
    python3 - "$work/time" "$work/jobs.json" "$link" "$c" <<'PY'
import json, sys
wall, user, system, rss = open(sys.argv[1]).read().split()[-4:]
jobs = json.load(open(sys.argv[2]))
bad = [j for j in jobs if j["state"] != "done"]
if bad: sys.exit(f"not done: {bad}")
messages = sum(j["messages"] for j in jobs); size = sum(j["bytes"] for j in jobs)
wall, cpu = float(wall), float(user) + float(system)
print(f"{sys.argv[3]:<10} {sys.argv[4]:>5} {wall:9.1f} {messages / wall:9.0f} {size / wall / 1e6:8.2f} "
      f"{cpu:9.1f} {cpu / (size / 1e9):9.0f} {int(rss) / 1024:8.0f}")
PY
    rm -rf "$work/store$run"
  done
done

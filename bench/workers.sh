#!/usr/bin/env bash
# Scale-out benchmark: MAILBOXES source accounts × MESSAGES messages queued in a private
# PostgreSQL (initdb + pg_ctl on a free 127.0.0.1 port) by `mailferry batch run --db … --detach`,
# then run by 1 worker and by 3 workers (`mailferry worker`, release build, each with its own
# store and CONCURRENCY jobs at once) on this machine. Each run gets fresh target accounts and
# a fresh database. Prints per run: wall time from the first claim to the last job done,
# aggregate messages/s and MB/s, the workers' CPU seconds (user+sys, summed), CPU use against
# the machine's cores, and the largest worker RSS.
# With DELAY_MS above 0, both servers are reached through bench/delay-proxy.py adding DELAY_MS
# each way (a link with round trips, where one machine's jobs wait rather than compute).
# Usage: bench/workers.sh [MAILBOXES=30] [MESSAGES=1000] [SIZES=small] ["WORKERS=1 3"] [CONCURRENCY=2] [DELAY_MS=0]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
mailboxes=${1:-30}; messages=${2:-1000}; sizes=${3:-small}; counts=${4:-1 3}; concurrency=${5:-2}; delay_ms=${6:-0}
runs=$(wc -w <<< "$counts")
[ "${BENCH_SKIP_BUILD:-}" = 1 ] || build_release
echo "seeding $mailboxes accounts × ~$messages messages ($sizes sizes) …" >&2
start_servers "$(mktemp -d /tmp/mfworkers.XXXXXX)" --corpus "$messages" --sizes "$sizes" \
  --source-accounts "$mailboxes" --with-target --target-accounts $(( mailboxes * runs ))
host=$(state_field host); source_port=$(state_field port); target_port=$(state_field targetPort)
ca_bundle "$work/ca.pem"
per_account=$(state_field folders.corpus); per_account_bytes=$(state_field folders.corpusBytes)
proxy=
if [ "$delay_ms" -gt 0 ]; then
  exec 3< <(python3 "$bench_root/bench/delay-proxy.py" "$delay_ms" "$source_port" "$target_port")
  proxy=$!
  read -r source_port <&3; read -r target_port <&3
fi

# A private PostgreSQL, as the unprivileged postgres user when run as root (initdb refuses root).
pg_bin=/usr/lib/postgresql/$(ls /usr/lib/postgresql | sort -n | tail -1)/bin
pg_dir=$(mktemp -d /tmp/mfworkers-pg.XXXXXX)
as_pg=(); [ "$(id -u)" = 0 ] && { chown postgres "$pg_dir"; as_pg=(runuser -u postgres --); }
"${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U mailferry --no-sync >/dev/null
pg_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w \
  -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
trap '[ -z "$proxy" ] || kill $proxy 2>/dev/null
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1; rm -rf "$pg_dir";
  kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
export MAILFERRY_SECRET_KEY=$(openssl rand -hex 32)
echo "corpus: $mailboxes × $per_account messages, $(( mailboxes * per_account_bytes / 1000000 )) MB in all; $(nproc) cores; +${delay_ms} ms each way" >&2
printf '%-8s %5s %9s %9s %8s %9s %8s %8s\n' workers conc wall_s msg/s MB/s cpu_s cpu_use rss_MB
run=0
for count in $counts; do
  run=$((run + 1))
  db=postgres://mailferry@127.0.0.1:$pg_port/run$run
  "${as_pg[@]}" "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U mailferry "run$run"
  csv=$work/run$run.csv
  { echo "source_server,source_user,source_password,source_port,source_tls,target_user,target_password,create_mailbox"
    for i in $(seq 1 "$mailboxes"); do
      user=bench; [ "$i" = 1 ] || user=bench$i
      t=$(( (run - 1) * mailboxes + i )); target=target; [ "$t" = 1 ] || target=target$t
      echo "$host,$user,$MAILFERRY_SOURCE_PASSWORD,$source_port,true,$target,$MAILFERRY_TARGET_PASSWORD,false"
    done; } > "$csv"
  # The per-host cap is raised so every worker slot can run at once on the one source server.
  "$bin/mailferry" batch run "$csv" --name "run$run" --db "$db" --store "$work/submit$run" \
    --target-server "imaps://$host:$target_port" --per-host-connections $(( 4 * count * concurrency )) \
    --detach > /dev/null 2> "$work/submit.err" || { cat "$work/submit.err" >&2; exit 1; }
  pids=()
  for w in $(seq 1 "$count"); do
    /usr/bin/time -f '%e %U %S %M' -o "$work/time-$run-$w" "$bin/mailferry" worker --db "$db" \
      --store "$work/store-$run-$w" --name "w$w" --concurrency "$concurrency" --ca-file "$work/ca.pem" \
      2> "$work/worker-$run-$w.err" &
    pids+=($!)
  done
  start=$(date +%s.%N)
  while :; do
    "$bin/mailferry" batch status "run$run" --db "$db" --json > "$work/jobs.json"
    python3 -c 'import json, sys; jobs = json.load(open(sys.argv[1]))
sys.exit(0 if all(j["state"] in ("done", "done with skips", "failed") for j in jobs) else 1)' "$work/jobs.json" && break
    sleep 0.5
  done
  end=$(date +%s.%N)
  # SIGTERM to each worker (the child of its /usr/bin/time): it drains and exits, time reports.
  for pid in "${pids[@]}"; do pkill -TERM -P "$pid"; done
  wait "${pids[@]}" || true
  python3 - "$work/jobs.json" "$count" "$concurrency" "$start" "$end" "$(nproc)" "$work"/time-$run-* <<'PY'
import json, sys
jobs = json.load(open(sys.argv[1]))
bad = [j for j in jobs if j["state"] != "done"]
if bad: sys.exit(f"not done: {bad}")
count, concurrency, start, end, cores = sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
cpu, rss = 0.0, 0
for path in sys.argv[7:]:
    _, user, system, peak = open(path).read().split()[-4:]
    cpu += float(user) + float(system); rss = max(rss, int(peak))
messages = sum(j["messages"] for j in jobs); size = sum(j["bytes"] for j in jobs); wall = end - start
print(f"{count:<8} {concurrency:>5} {wall:9.1f} {messages / wall:9.0f} {size / wall / 1e6:8.2f} {cpu:9.1f} "
      f"{cpu / (wall * cores) * 100:7.0f}% {rss / 1024:8.0f}")
print("  jobs per worker: " + ", ".join(f"{w}: {n}" for w, n in sorted(
    {w: sum(1 for j in jobs if j.get("worker") == w) for w in {j.get("worker") for j in jobs}}.items())))
PY
done

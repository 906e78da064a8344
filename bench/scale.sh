#!/usr/bin/env bash
# Batch scaling: 20 mailboxes migrated with 1, 2, 4 and 8 jobs at once (release `mailferry
# migrate`, one process per job, 2 connections per side each), from one seeded source account
# into fresh target accounts for every level. Prints aggregate messages/s and MB/s per level and
# where it stops scaling (CPU: user+sys of all jobs vs wall × cores).
# Usage: bench/scale.sh [MESSAGES_PER_MAILBOX=1000] [SIZES=small|realistic] [MAILBOXES=20]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
messages=${1:-1000}
sizes=${2:-small}
mailboxes=${3:-20}
levels=(1 2 4 8)
build_release
accounts=$((mailboxes * ${#levels[@]}))
start_servers "$(mktemp -d /tmp/mfscale.XXXXXX)" --corpus "$messages" --sizes "$sizes" --with-target --target-accounts "$accounts"
host=$(state_field host); port=$(state_field port); user=$(state_field user); tport=$(state_field targetPort)
count=$(state_field folders.corpus); bytes=$(state_field folders.corpusBytes)
ca_bundle "$work/ca.pem"
echo "$mailboxes mailboxes of $count messages ($(python3 -c "print(f'{$bytes/1e6:.1f}')") MB) each; $(nproc) cores" >&2
printf '%-6s %9s %10s %9s %10s %8s %9s %8s\n' jobs messages MB seconds "msg/s" "MB/s" "CPU s" "CPU use"
account=1
for level in "${levels[@]}"; do
  jobs_file=$work/jobs-$level
  : > "$jobs_file"
  for index in $(seq 1 "$mailboxes"); do
    target_user=$([ "$account" -eq 1 ] && echo target || echo "target$account")
    echo "$target_user $index" >> "$jobs_file"
    account=$((account + 1))
  done
  start=$(date +%s.%N)
  # xargs -P keeps `level` jobs running at once; each job's CPU time is summed from time(1).
  xargs -P "$level" -L 1 sh -c '/usr/bin/time -f "%U %S" -a -o "$0/cpu-$1" "$2/mailferry" migrate \
      --source "imaps://$3@$4:$5" --target "imaps://$6@$4:$7" --ca-file "$0/ca.pem" --store "$0/store-$1" --job "job-$8" \
      --connections 2 --json > "$0/out-$1-$8.json" 2>/dev/null' "$work" "$level" "$bin" "$user" "$host" "$port" < <(
      while read -r target_user index; do echo "$target_user $tport $index"; done < "$jobs_file") 
  end=$(date +%s.%N)
  python3 - "$work" "$level" "$start" "$end" "$mailboxes" "$count" "$bytes" <<'PY'
import glob, os, sys
work, level, start, end, mailboxes, count, size = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
seconds = end - start
cpu = sum(float(u) + float(s) for u, s in (line.split() for line in open(f"{work}/cpu-{level}") if line.strip() and not line.startswith("Command")))
messages, mb = mailboxes * count, mailboxes * size / 1e6
print(f"{level:<6} {messages:>9} {mb:>10.1f} {seconds:>9.2f} {messages/seconds:>10.0f} {mb/seconds:>8.1f} {cpu:>9.1f} {cpu/(seconds*os.cpu_count())*100:>7.0f}%")
PY
done

#!/usr/bin/env bash
# Side-by-side benchmark (issue 5): mailferry migrate vs mbsync (isync) vs OfflineIMAP vs
# Dovecot's `doveadm backup -R … imapc:`, on the same generated corpus, one after another, each
# into its own empty account on one target Dovecot. Per tool: first pass, no-op pass, and (after
# ~1 % new messages and ~1 % flag changes at the source) a delta pass. Each run is timed with
# /usr/bin/time -v and checked by bench/imapcheck.py, an independent imaplib comparison.
#
# Usage: bench/compare.sh [small|medium] [RESULTS.json]
#   small  ≈ 2,000 messages (≈ 0.4 GB, realistic sizes), a few minutes
#   medium ≈ 20,000 messages (≈ 4 GB), OfflineIMAP alone takes a long while
# Environment: BENCH_SKIP_BUILD=1 uses the existing release binaries; BENCH_KEEP=1 keeps the
# scratch directory (configs, logs, mailferry store); BENCH_TOOLS=mailferry,doveadm runs a subset;
# IMAPSYNC=/path/to/imapsync adds imapsync (from its public repository, not part of this one; its
# Perl modules come from Debian, see below); BENCH_DELAY=25 also runs mailferry, mbsync and
# imapsync through `mailferry-bench delay-proxy` (bench/delay-proxy.py in Swift) adding 25 ms each way, BENCH_RATE=50 caps those links at
# 50 Mbit/s, BENCH_DELAY_TOOLS=mailferry,mbsync picks which of them; BENCH_COMPRESSION=1 makes
# both Dovecots offer COMPRESS=DEFLATE.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-small}
case $preset in
  small) messages=2000 ;;
  medium) messages=20000 ;;
  *) echo "usage: bench/compare.sh [small|medium] [RESULTS.json]" >&2; exit 2 ;;
esac
out=${2:-bench/results-$preset.json}

# Build and server dependencies (Dovecot, OpenSSL, …), then the tools compared here.
scripts/install-deps
missing=()
perl_modules=""
if [ -n "${IMAPSYNC:-}" ]; then
  perl_modules="libdigest-hmac-perl libencode-imaputf7-perl libfile-copy-recursive-perl libio-socket-inet6-perl
    libio-socket-ssl-perl libio-tee-perl libmail-imapclient-perl libterm-readkey-perl libunicode-string-perl
    libreadonly-perl libsys-meminfo-perl libregexp-common-perl libfile-tail-perl libjson-webtoken-perl
    libauthen-ntlm-perl libcrypt-openssl-rsa-perl libhtml-parser-perl libjson-perl libproc-processtable-perl"
fi
for package in isync offlineimap3 time $perl_modules; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  swift build -c release --product mailferry >/dev/null
  swift build -c release --product mailferry-bench >/dev/null
fi
bin=$PWD/.build/release

work=$(mktemp -d /tmp/mfcompare.XXXXXX)
# doveadm switches to the mail user (nobody) and then reads the CA copy in here.
chmod 755 "$work"
state=$work/state.json
server="" runner=""
cleanup() {
  if [ -n "$runner" ]; then kill "$runner" 2>/dev/null || true; wait "$runner" 2>/dev/null || true; fi
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "seeding ~$messages messages (realistic sizes) and a target with 8 accounts …" >&2
seeding_started=$SECONDS
# serve stops both Dovecots when it gets SIGTERM (the trap above).
"$bin/mailferry-bench" serve --state "$state" --corpus "$messages" --sizes realistic \
  --with-target --target-accounts 8 ${BENCH_COMPRESSION:+--compression} >"$work/serve.log" 2>&1 &
server=$!
until [ -f "$state" ]; do
  if ! kill -0 "$server" 2>/dev/null; then
    echo "mailferry-bench serve exited early:" >&2; tail -20 "$work/serve.log" >&2; exit 1
  fi
  sleep 0.5
done
echo "seeded in $((SECONDS - seeding_started)) s" >&2

# In the background and waited for, so that a SIGTERM to this script runs the trap at once
# (bash defers traps while a foreground child runs).
python3 -B bench/compare.py --state "$state" --work "$work" --bin "$bin" --preset "$preset" --out "$out" \
  ${BENCH_TOOLS:+--tools "$BENCH_TOOLS"} ${IMAPSYNC:+--imapsync "$IMAPSYNC"} \
  ${BENCH_DELAY:+--delay "$BENCH_DELAY"} ${BENCH_RATE:+--rate "$BENCH_RATE"} \
  ${BENCH_DELAY_TOOLS:+--delay-tools "$BENCH_DELAY_TOOLS"} &
runner=$!
wait "$runner"
runner=""

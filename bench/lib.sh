# Shared by the bench scripts: build the release binaries, start `mailferry-bench serve`, wait
# for its state file, and stop it on exit. Source it, then call `start_servers ARGS…`.
bench_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=$bench_root/.build/release

build_release() {
  (cd "$bench_root" && scripts/install-deps && swift build -c release --product mailferry >/dev/null \
    && swift build -c release --product mailferry-bench >/dev/null)
}

# start_servers WORKDIR serve-arguments… — sets $state; exports the password variables.
start_servers() {
  work=$1; shift
  state=$work/state.json
  "$bin/mailferry-bench" serve --state "$state" "$@" &
  server=$!
  trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
  for _ in $(seq 1 3000); do [ -f "$state" ] && break; sleep 0.2; done
  [ -f "$state" ] || { echo "servers did not start" >&2; exit 1; }
  password=$(state_field password)
  export MAILFERRY_SOURCE_PASSWORD=$password MAILFERRY_TARGET_PASSWORD=$password
}

# state_field NAME — one value of the state file (dotted path for nested ones).
state_field() {
  python3 -c 'import json,sys
value = json.load(open(sys.argv[1]))
for key in sys.argv[2].split("."): value = value[key]
print(value)' "$state" "$1"
}

# ca_bundle FILE — both servers' CAs in one file, for commands that talk to both sides.
ca_bundle() {
  cat "$(state_field caFile)" "$(state_field targetCAFile)" > "$1"
}

#!/usr/bin/env bash
# Benchmark of `scimulator load` (issue 14), loopback only, bounded in time.
# Not a test: it prints ratios measured in the same run on this machine.
#
#   scripts/bench-load.sh
#   BENCH_DURATION=10 BENCH_ROUNDS=3 BENCH_CONNECTIONS=32 scripts/bench-load.sh
#
# 1. `GET /Users/{id}` against `scimulator serve` (release build): wrk
#    (-t2 -c$CONNS) and `scimulator load read-user --concurrency $CONNS
#    --rate 0`, alternating, BENCH_ROUNDS times; the median of the per-round
#    ratios load/wrk is reported (target ≥ 0.8).
# 2. The generator's own ceiling: the same pair against a trivial server that
#    answers from constants (examples/trivial_scim.rs), so the ratio there
#    is the generator's cost, not the server's.
# 3. `scimulator load entra-cycle --rate 25 --duration 30s` against the
#    embedded server: achieved rate and p99 (target: ≥ 25 req/s held, p99 < 50 ms).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${BENCH_DURATION:-10}
ROUNDS=${BENCH_ROUNDS:-3}
CONNS=${BENCH_CONNECTIONS:-32}
PORT=${BENCH_PORT:-18620}
TRIVIAL_PORT=$((PORT + 10))
ENTRA_DURATION=${BENCH_ENTRA_DURATION:-30s}

if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk (Debian package)" >&2
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
cargo build --release --locked --bin scimulator --example trivial_scim
BIN=target/release/scimulator
WORK=$(mktemp -d)
TOKEN=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

SCIMULATOR_SERVE_TOKEN=$TOKEN "$BIN" serve --addr "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
pids+=($!)
target/release/examples/trivial_scim "127.0.0.1:$TRIVIAL_PORT" >"$WORK/trivial.log" 2>&1 &
pids+=($!)
BASE="http://127.0.0.1:$PORT/scim/v2"
TRIVIAL="http://127.0.0.1:$TRIVIAL_PORT/scim/v2"
for _ in $(seq 1 50); do
  curl -fsS -o /dev/null -H "Authorization: Bearer $TOKEN" "$BASE/Users?count=1" 2>/dev/null &&
    curl -fsS -o /dev/null "$TRIVIAL/Users?count=1" 2>/dev/null && break
  sleep 0.2
done

json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }
# Each prints "RATE CPU_US_PER_REQUEST": the client's own CPU time (user + sys,
# from bash's `time`) divided by the requests it sent.
TIMEFORMAT='%U %S'
cpu_us() { python3 -c "import sys; u,s=map(float,open(sys.argv[1]).read().split()[-2:]); print(round((u+s)*1e6/max(1.0,float(sys.argv[2])), 1))" "$1" "$2"; }
wrk_rate() {
  { time wrk -t2 -c"$CONNS" -d"${DURATION}s" -H "Authorization: Bearer $TOKEN" "$1" >"$WORK/wrk.out"; } 2>"$WORK/wrk.cpu"
  local rate; rate=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.out")
  echo "$rate $(cpu_us "$WORK/wrk.cpu" "$(awk '/requests in/ {print $1}' "$WORK/wrk.out")")"
}
load_rate() {
  { time SCIMULATOR_TOKEN=$TOKEN "$BIN" load read-user --target "$1" --rate 0 --concurrency "$CONNS" \
    --duration "${DURATION}s" --run-id "bench$RANDOM" --report "json=$WORK/read.json" >/dev/null || true; } 2>"$WORK/load.cpu"
  echo "$(json "$WORK/read.json" "round(d['summary']['achieved_rate'], 1)") $(cpu_us "$WORK/load.cpu" "$(json "$WORK/read.json" "d['summary']['requests']")")"
}
median() { python3 -c "import statistics,sys; print(round(statistics.median(float(x) for x in sys.argv[1:]), 3))" "$@"; }

# One user on the reference server; read-user reads the one it creates.
ID=$(curl -fsS -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/scim+json' \
  -d '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"wrk-bench@example.com"}' \
  "$BASE/Users" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

bench_pair() { # label, wrk URL, load target
  local ratios=() cpus=() w l wc lc
  for r in $(seq 1 "$ROUNDS"); do
    read -r w wc < <(wrk_rate "$2"); read -r l lc < <(load_rate "$3")
    ratios+=("$(python3 -c "print(round($l / $w, 3))")")
    cpus+=("$(python3 -c "print(round($lc / $wc, 3))")")
    echo "  $1 round $r: wrk $w req/s ($wc µs CPU/request), scimulator load $l req/s ($lc µs CPU/request), rate ratio ${ratios[-1]}"
  done
  echo "  $1: median rate ratio load/wrk = $(median "${ratios[@]}"); median CPU-per-request ratio load/wrk = $(median "${cpus[@]}")"
}

echo "== GET /Users/{id} against scimulator serve (release), ${DURATION}s, $CONNS connections =="
bench_pair "serve" "$BASE/Users/$ID" "$BASE"
echo "== the generator's ceiling: the same against a trivial constant server =="
bench_pair "trivial" "$TRIVIAL/Users/1" "$TRIVIAL"
echo "== entra-cycle at 25 req/s for $ENTRA_DURATION against the embedded server (release) =="
"$BIN" load entra-cycle --rate 25 --duration "$ENTRA_DURATION" --report "json=$WORK/entra.json" | tail -n 4
echo "  achieved $(json "$WORK/entra.json" "round(d['summary']['achieved_rate'], 2)") req/s," \
  "p99 $(json "$WORK/entra.json" "d['summary']['latency']['p99_ms']") ms (target p99 < 50 ms)," \
  "verification $(json "$WORK/entra.json" "'passed' if not d['verification']['findings'] else 'FAILED'")"

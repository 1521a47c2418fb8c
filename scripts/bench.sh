#!/usr/bin/env bash
# Performance measurements of issues 2 and 3, loopback only, bounded in time.
#
#   scripts/bench.sh              # everything (about 5 minutes after the build)
#   BENCH_DURATION=10 BENCH_ROUNDS=3 scripts/bench.sh
#   BENCH_SKIP_HARNESS=1 scripts/bench.sh
#
# 1. Builds the bench binaries once (`cargo bench --no-run`, bench profile =
#    release) and installs wrk from Debian if it is missing.
# 2. Starts `benches/server.rs --serve`: a reference server holding 100,000
#    users, one holding 1,000, and a trivial axum handler, on 127.0.0.1.
# 3. wrk -t1 -c32 -d${BENCH_DURATION}s --latency -s benches/wrk/scim.lua for
#    each indexed read, BENCH_ROUNDS (5) times, with the trivial handler
#    measured right before and after each run: a round's ratio = scenario
#    req/s / mean of the two trivial runs; the median round is reported
#    (the shared machine's bursts of load hit single runs).
# 4. The indexed filter's latency at 1,000 and 100,000 users: wrk -t1 -c1,
#    five rounds in alternating order; ratio of the median p50s and p99s.
# 5. 10,000 sequential creates over one keep-alive connection (`--creates`),
#    after 10,000 sequential GETs of the trivial handler the same way (baseline).
# 6. The server's resident memory (VmRSS after loading 100,000 users, and at
#    the end from /proc/PID/status).
# 7. `--handler`: the server's own CPU cost per request without sockets
#    (router called in-process), next to a trivial router the same way.
# 8. `cargo bench --bench harness` (issue 3: harness overhead, start-up).
set -euo pipefail

cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
DURATION="${BENCH_DURATION:-5}"
ROUNDS="${BENCH_ROUNDS:-5}"
CONNS="${BENCH_CONNECTIONS:-32}"
CREATES="${BENCH_CREATES:-10000}"
LUA="$PWD/benches/wrk/scim.lua"

if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian package)" >&2
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi

echo "building the bench binaries (bench profile)" >&2
exe() { # the executable of bench target $1 from cargo's JSON messages
  grep -o "\"executable\":\"[^\"]*/deps/$1-[0-9a-f]*\"" | tail -1 | sed 's/.*:"\(.*\)"/\1/'
}
MESSAGES="$(cargo bench --no-run --bench server --bench harness --message-format=json 2>/dev/null)"
SERVER_BIN="$(printf '%s\n' "$MESSAGES" | exe server)"
HARNESS_BIN="$(printf '%s\n' "$MESSAGES" | exe harness)"
[ -x "$SERVER_BIN" ] && [ -x "$HARNESS_BIN" ] || { echo "bench binaries not found" >&2; exit 1; }

WORK="$(mktemp -d)"
SERVE_PID=""
cleanup() {
  if [ -n "$SERVE_PID" ]; then kill "$SERVE_PID" 2>/dev/null || true; wait "$SERVE_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

BENCH_SERVE_SECS=1200 "$SERVER_BIN" --serve >"$WORK/serve.log" 2>&1 &
SERVE_PID=$!
for _ in $(seq 1 600); do
  grep -q '^READY' "$WORK/serve.log" && break
  kill -0 "$SERVE_PID" 2>/dev/null || { cat "$WORK/serve.log" >&2; exit 1; }
  sleep 0.2
done
READY="$(grep '^READY' "$WORK/serve.log")" || { echo "server not ready" >&2; exit 1; }
field() { printf '%s\n' "$READY" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
TRIVIAL="$(field trivial)"; BIG="$(field big)"; SMALL="$(field small)"
USERS="$(field users)"; SMALL_USERS="$(field small_users)"
echo "$READY"
echo "load: $(uptime)"

# wrk_run MODE BASE USERS CONNECTIONS -> prints "rps p50_us p99_us errors"
wrk_run() {
  local mode=$1 base=$2 users=$3 conns=$4 host prefix line
  host="$(printf '%s' "$base" | sed -E 's#^(http://[^/]+).*#\1#')"
  prefix="${base#"$host"}"
  line="$(BENCH_MODE=$mode BENCH_USERS=$users BENCH_PREFIX=$prefix \
    wrk -t1 -c"$conns" -d"${DURATION}s" --latency -s "$LUA" "$host/" | grep '^WRK')"
  printf '%s\n' "$line" >>"$WORK/wrk.log"
  printf '%s\n' "$line" | tr ' ' '\n' | sed -n 's/^\(rps\|p50_us\|p99_us\|errors\)=//p' | tr '\n' ' '
}

echo
echo "## indexed reads, $USERS users, wrk -t1 -c$CONNS -d${DURATION}s, $ROUNDS rounds"
echo "## each round: trivial, scenario, trivial; ratio = scenario req/s / mean of the two trivial runs"
printf '%-46s %9s %9s %9s %s\n' scenario req/s p50_us p99_us "ratio per round -> median"
for mode in get filter filter_active; do
  case $mode in
    get) name='GET /Users/{id}' ;;
    filter) name='filter=userName eq "..."' ;;
    filter_active) name='filter=userName eq "..." and active eq true' ;;
  esac
  : >"$WORK/rounds"
  read -r T_RPS _ <<<"$(wrk_run trivial "$TRIVIAL" 1 "$CONNS")"
  for _ in $(seq 1 "$ROUNDS"); do
    read -r S_RPS S_P50 S_P99 S_ERR <<<"$(wrk_run "$mode" "$BIG" "$USERS" "$CONNS")"
    read -r T2_RPS _ <<<"$(wrk_run trivial "$TRIVIAL" 1 "$CONNS")"
    awk -v s="$S_RPS" -v a="$T_RPS" -v b="$T2_RPS" -v p50="$S_P50" -v p99="$S_P99" -v e="$S_ERR" \
      'BEGIN{printf "%.1f %s %s %s %s %s %s\n", 100*s/((a+b)/2), s, p50, p99, e, a, b}' >>"$WORK/rounds"
    T_RPS=$T2_RPS
  done
  # the round with the median ratio, and every round's ratio
  MEDIAN="$(sort -n "$WORK/rounds" | sed -n "$(( (ROUNDS + 1) / 2 ))p")"
  ALL="$(awk '{printf "%s%% ", $1}' "$WORK/rounds")"
  read -r M_RATIO M_RPS M_P50 M_P99 M_ERR M_TA M_TB <<<"$MEDIAN"
  printf '%-46s %9s %9s %9s %s-> %s%% (trivial %s, %s; errors %s)\n' "$name" "$M_RPS" "$M_P50" "$M_P99" "$ALL" "$M_RATIO" "$M_TA" "$M_TB" "$M_ERR"
done
echo "load: $(uptime)"

echo
echo "## indexed filter latency, $SMALL_USERS vs $USERS users, wrk -t1 -c1 -d${DURATION}s, 5 rounds (sizes alternating first)"
: >"$WORK/lat.small"; : >"$WORK/lat.big"
for order in "small big" "big small" "small big" "big small" "small big"; do
  for size in $order; do
    if [ "$size" = small ]; then base=$SMALL; n=$SMALL_USERS; else base=$BIG; n=$USERS; fi
    wrk_run filter "$base" "$n" 1 >>"$WORK/lat.$size"; echo >>"$WORK/lat.$size"
  done
done
med() { # median of column $1 of file $2
  awk -v c="$1" '{print $c}' "$2" | sort -n | sed -n 3p
}
S50=$(med 2 "$WORK/lat.small"); S99=$(med 3 "$WORK/lat.small"); B50=$(med 2 "$WORK/lat.big"); B99=$(med 3 "$WORK/lat.big")
printf '%7s users: req/s %s  p50 us %s  p99 us %s\n' "$SMALL_USERS" "$(cut -d' ' -f1 "$WORK/lat.small" | tr '\n' ' ')" "$(cut -d' ' -f2 "$WORK/lat.small" | tr '\n' ' ')" "$(cut -d' ' -f3 "$WORK/lat.small" | tr '\n' ' ')"
printf '%7s users: req/s %s  p50 us %s  p99 us %s\n' "$USERS" "$(cut -d' ' -f1 "$WORK/lat.big" | tr '\n' ' ')" "$(cut -d' ' -f2 "$WORK/lat.big" | tr '\n' ' ')" "$(cut -d' ' -f3 "$WORK/lat.big" | tr '\n' ' ')"
awk -v s50="$S50" -v s99="$S99" -v b50="$B50" -v b99="$B99" -v su="$SMALL_USERS" -v bu="$USERS" 'BEGIN{
  printf "medians: %d users p50 %d us p99 %d us; %d users p50 %d us p99 %d us\n", su, s50, s99, bu, b50, b99;
  printf "ratio %d/%d users: p50 %.2f  p99 %.2f (target <= 1.5)\n", bu, su, b50/s50, b99/s99 }'
echo "load: $(uptime)"

echo
echo "## $CREATES sequential creates over one keep-alive connection ($USERS users loaded)"
"$SERVER_BIN" --creates "$BIG" "$CREATES" "$TRIVIAL/"
echo "load: $(uptime)"

echo
echo "## resident memory of the server process"
RSS_END="$(sed -n 's/^VmRSS:[[:space:]]*//p' "/proc/$SERVE_PID/status")"
echo "after loading $USERS users: $(field rss_loaded_kib) kB (before: $(field rss_before_kib) kB); now, with $SMALL_USERS more users and $CREATES+ creates: $RSS_END"

kill "$SERVE_PID" 2>/dev/null || true
wait "$SERVE_PID" 2>/dev/null || true
SERVE_PID=""

echo
echo "## the server's own cost per request, no sockets ($USERS users)"
"$SERVER_BIN" --handler

if [ -z "${BENCH_SKIP_HARNESS:-}" ]; then
  echo
  echo "## harness (issue 3)"
  echo "load: $(uptime)"
  (cd "$PWD" && "$HARNESS_BIN")
  echo "load: $(uptime)"
fi

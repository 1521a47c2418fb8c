#!/usr/bin/env bash
# Scale-out check of `scimulator load --emit locust` (issue 14): for each
# scenario, emit the Locust file, run it headless with one master and two
# local workers against the reference server (`scimulator serve`) for a few
# seconds, then run `scimulator load --verify` against the same server.
# Exits non-zero when a verification fails.
#
# Locust is installed into target/locust-venv with pip; when python3, venv or
# pip is unavailable the check is skipped with a message (exit 0).
#
#   scripts/locust-check.sh [SCENARIO…]     (default: all five IdP scenarios)
#   env: SCIMULATOR_BIN (default target/debug/scimulator), LOCUST_CHECK_PORT (18610),
#        LOCUST_RUN_TIME (12s)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${SCIMULATOR_BIN:-target/debug/scimulator}
PORT=${LOCUST_CHECK_PORT:-18610}
MASTER_PORT=$((PORT + 1))
RUN_TIME=${LOCUST_RUN_TIME:-12s}
VENV=target/locust-venv
SCENARIOS=${*:-okta-initial-push entra-cycle bulk-deactivate member-storm import}

if ! command -v python3 >/dev/null 2>&1; then
  echo "locust-check: python3 not found; skipping"; exit 0
fi
if [ ! -x "$VENV/bin/locust" ]; then
  if ! python3 -m venv "$VENV" >/dev/null 2>&1; then
    echo "locust-check: python3 -m venv unavailable; skipping"; exit 0
  fi
  if ! "$VENV/bin/pip" install -q "locust==2.47.0"; then
    echo "locust-check: pip could not install locust (offline?); skipping"; exit 0
  fi
fi
[ -x "$BIN" ] || cargo build --locked

WORK=$(mktemp -d)
TOKEN=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

SCIMULATOR_SERVE_TOKEN=$TOKEN "$BIN" serve --addr "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
pids+=($!)
BASE="http://127.0.0.1:$PORT/scim/v2"
for _ in $(seq 1 50); do
  curl -fsS -o /dev/null -H "Authorization: Bearer $TOKEN" "$BASE/Users?count=1" 2>/dev/null && break
  sleep 0.2
done

export SCIM_TOKEN=$TOKEN SCIMULATOR_WORKERS=2
status=0
for scenario in $SCENARIOS; do
  run="lc$(date +%s)$RANDOM"
  sizes=(--users 40 --groups 2 --members 15 --run-id "$run")
  "$BIN" load "$scenario" --emit locust "$WORK/$scenario.py" "${sizes[@]}" >/dev/null
  "$VENV/bin/locust" -f "$WORK/$scenario.py" --master --headless --expect-workers 2 \
    --expect-workers-max-wait 60 --master-bind-host 127.0.0.1 --master-bind-port "$MASTER_PORT" \
    -u 8 -r 8 --run-time "$RUN_TIME" --host "$BASE" --only-summary >"$WORK/$scenario.master.log" 2>&1 &
  master=$!
  for w in 1 2; do
    "$VENV/bin/locust" -f "$WORK/$scenario.py" --worker --master-host 127.0.0.1 \
      --master-port "$MASTER_PORT" >"$WORK/$scenario.worker$w.log" 2>&1 &
    pids+=($!)
  done
  wait "$master" || echo "locust-check: $scenario: locust reported request failures (see $WORK/$scenario.master.log)"
  echo "== $scenario: Locust (1 master, 2 workers, $RUN_TIME) =="
  grep -E "Aggregated|user\.|group\.|import\." "$WORK/$scenario.master.log" | head -20 || true
  if SCIMULATOR_TOKEN=$TOKEN "$BIN" load "$scenario" --verify --target "$BASE" "${sizes[@]}"; then
    echo "== $scenario: verified =="
  else
    echo "== $scenario: VERIFICATION FAILED (logs in $WORK) =="
    status=1
  fi
done
exit $status

#!/usr/bin/env bash
# Runs the whole bundled corpus against a third-party SCIM server that no one
# on this project wrote, as a vendor's CI would: CI=true, from an empty
# folder of its own, default flags, and the committed baseline of that
# server's real deviations (.ci/baselines/SERVER.yaml).
#
#   scripts/third-party.sh scim2-server   # python scim2-server (PyPI), pinned
#   scripts/third-party.sh scimmy         # SCIMMY + scimmy-routers on express (npm), pinned
#   BIN=target/release/scimulator scripts/third-party.sh scim2-server
#
# It fails (exit 1) when the run fails anything the baseline does not list,
# and also when a baseline entry is stale (the case now passes, or names no
# case of the run): the baseline must stay the exact list of real deviations.
# Everything is installed under target/third-party/ (git-ignored); the
# server listens on 127.0.0.1 only and is stopped on exit. Every wait is
# bounded.
set -euo pipefail

server="${1:?usage: scripts/third-party.sh scim2-server|scimmy [scimulator run args…]}"
shift
repo="$(cd "$(dirname "$0")/.." && pwd)"
bin="${BIN:-${CARGO_TARGET_DIR:-$repo/target}/debug/scimulator}"
[[ "$bin" = /* ]] || bin="$repo/$bin"
root="$repo/target/third-party"
out="$repo/reports/third-party/$server"
baseline="$repo/.ci/baselines/$server.yaml"
token="tp-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
mkdir -p "$root" "$out"

if [[ ! -x "$bin" ]]; then
  echo "no scimulator binary at $bin (run cargo build first, or set BIN)" >&2
  exit 2
fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
port="$(free_port)"

case "$server" in
  scim2-server)
    venv="$root/scim2-server-venv"
    if [[ ! -x "$venv/bin/scim2-server" ]]; then
      echo "installing scim2-server 0.8.3 from PyPI into $venv" >&2
      python3 -m venv "$venv"
      timeout 300 "$venv/bin/pip" install -q 'scim2-server==0.8.3' 'scim2-models==0.12.3'
    fi
    "$venv/bin/scim2-server" --hostname 127.0.0.1 --port "$port" --bearer-token "$token" \
      >"$out/server.log" 2>&1 &
    target="http://127.0.0.1:$port/v2"
    ;;
  scimmy)
    dir="$root/scimmy"
    if [[ ! -d "$dir/node_modules/scimmy-routers" ]]; then
      echo "installing scimmy 1.3.5, scimmy-routers 1.3.2, express 4.22.3 from npm into $dir" >&2
      mkdir -p "$dir"
      (cd "$dir" && timeout 300 npm install -q --no-audit --no-fund \
        scimmy@1.3.5 scimmy-routers@1.3.2 express@4.22.3 >/dev/null)
    fi
    # The launcher (an in-memory store for SCIMMY, which leaves storage to
    # the integrator) is a copy of shared/servers/run_scimmy.js.
    SCIMMY_DIR="$dir" SCIMMY_TOKEN="$token" node "$repo/scripts/run_scimmy.js" "$port" \
      >"$out/server.log" 2>&1 &
    target="http://127.0.0.1:$port/scim/v2"
    ;;
  *)
    echo "unknown server \`$server\` (expected scim2-server or scimmy)" >&2
    exit 2
    ;;
esac
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT

# Wait (at most 30 s) until the port accepts connections.
for _ in $(seq 1 300); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "$server exited at start:" >&2
    cat "$out/server.log" >&2
    exit 3
  fi
  sleep 0.1
done

work="$(mktemp -d)"
echo "== $server at $target (from the empty folder $work, CI=true)"
set +e
(cd "$work" && CI=true "$bin" run --target "$target" --token "$token" \
  --baseline "$baseline" \
  --report "json=$out/report.json" --report "markdown=$out/report.md" \
  --report "junit=$out/junit.xml" "$@") | tee "$out/console.txt"
code=${PIPESTATUS[0]}
set -e
echo "== exit code $code (reports in ${out#"$repo"/})"

# Nothing may be written into the empty folder but reports/ and the per-target snapshots.
stray="$(cd "$work" && find . -mindepth 1 -maxdepth 1 ! -name reports ! -name .scimulator | head -5)"
if [[ -n "$stray" ]]; then
  echo "the run wrote outside reports/ and .scimulator/: $stray" >&2
  code=1
fi
rm -rf "$work"

# A stale baseline entry fails too: `fixed` (the case passes now) in the JSON
# gate, `unused` (no such case in this run) on the console.
python3 - "$out/report.json" "$out/console.txt" <<'PY' || code=1
import json, re, sys
gate = json.load(open(sys.argv[1]))["gate"]
stale = [f"{b['verdict']}: {b['suite']} › {b['case']}" for b in gate.get("baseline", [])
         if b.get("verdict") == "fixed"]
stale += [line.strip() for line in open(sys.argv[2], encoding="utf-8")
          if re.match(r"^\s+unused\s", line)]
for s in stale:
    print(f"stale baseline entry: {s}", file=sys.stderr)
sys.exit(1 if stale else 0)
PY
exit "$code"

-- wrk script for scripts/bench.sh (loopback only; bounded by wrk's -d).
-- BENCH_MODE: trivial | get | filter | filter_active | create
-- BENCH_USERS: how many users the target holds (ids u0.., userName user{i}@example.com)
-- BENCH_PREFIX: the path prefix of the target (e.g. /scim/v2; empty for trivial)
local mode = os.getenv("BENCH_MODE") or "trivial"
local users = tonumber(os.getenv("BENCH_USERS") or "100000")
local prefix = os.getenv("BENCH_PREFIX") or ""
local counter = 0
local tag = tostring(os.time()) .. "-" .. tostring(math.random(1, 1000000))

wrk.headers["Authorization"] = "Bearer bench"

function request()
  counter = counter + 1
  -- a fixed stride walks every user without Lua's RNG
  local n = (counter * 7919) % users
  if mode == "trivial" then
    return wrk.format("GET", "/")
  elseif mode == "get" then
    return wrk.format("GET", prefix .. "/Users/u" .. n)
  elseif mode == "filter" then
    return wrk.format("GET", prefix .. "/Users?filter=userName%20eq%20%22user" .. n .. "%40example.com%22")
  elseif mode == "filter_active" then
    return wrk.format("GET", prefix .. "/Users?filter=userName%20eq%20%22user" .. n
      .. "%40example.com%22%20and%20active%20eq%20true")
  elseif mode == "create" then
    local body = '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"wrk-'
      .. tag .. "-" .. counter .. '@example.com","active":true}'
    return wrk.format("POST", prefix .. "/Users", {["Content-Type"] = "application/scim+json"}, body)
  end
end

-- no response() callback: it would make wrk hand every body to Lua and slow the
-- client; non-2xx/3xx answers are counted in summary.errors.status anyway.
function done(summary, latency, requests)
  io.write(string.format("WRK mode=%s requests=%d secs=%.3f rps=%.0f p50_us=%d p99_us=%d errors=%d\n",
    mode, summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99),
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end

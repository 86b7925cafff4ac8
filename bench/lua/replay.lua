-- Replay a prepared request file with wrk: every request is different (own body, own
-- X-Forwarded-For), so single-use proofs are each spent once.
--
--   wrk -d (SECONDS + GRACE) --timeout T -s replay.lua URL -- FILE EXPECTED_STATUS THREADS SECONDS
--
-- Requests are sent for SECONDS after the first one; then every connection goes idle (delay())
-- so that the requests still in flight complete and are counted, and none is left unanswered
-- when wrk stops at SECONDS + GRACE: the number of 2xx seen is then exactly what the server did.
-- Throughput is responses / (last response - first request). T must exceed GRACE (wrk counts
-- an idle connection as a timeout once T has passed since its last request).
--
-- FILE has one request per line: METHOD \t PATH \t X-FORWARDED-FOR \t BODY (BODY may be empty).
-- Thread i (0-based) sends lines i, i + THREADS, i + 2 * THREADS, ... in order; if it runs out
-- it starts again from its first line and counts a wrap (for a single-use body that would be a
-- replay, which the server must refuse: the harness treats any wrap there as a failed run).
-- Every response whose status is not EXPECTED_STATUS is counted as an error, by status code.
-- done() prints one line "BENCH_JSON {...}" with counts and latency percentiles (microseconds).

local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock_id, bench_timespec *tp);
]])
local CLOCK_MONOTONIC = 1
local timespec = ffi.new("bench_timespec")

local function now()
   ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
   return tonumber(timespec.tv_sec) + tonumber(timespec.tv_nsec) * 1e-9
end

local threads = {}
local next_id = 0

function setup(thread)
   thread:set("tid", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

local requests = {}
local count = 0
local index = 0
local seconds = 0
local stop_at = nil
expected = 0
first = 0
last = 0
sent = 0
ok = 0
bad = 0
wraps = 0
statuses = {}

function init(args)
   local path = args[1]
   expected = tonumber(args[2])
   local stride = tonumber(args[3])
   seconds = tonumber(args[4])
   local line_no = 0
   local file = assert(io.open(path, "r"))
   for line in file:lines() do
      if line_no % stride == tid then
         local method, target, forwarded, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
         local headers = {
            ["X-Forwarded-For"] = forwarded,
            ["X-Forwarded-Proto"] = "https",
         }
         if body == "" then
            body = nil
         else
            headers["Content-Type"] = "application/json"
         end
         count = count + 1
         requests[count] = wrk.format(method, target, headers, body)
      end
      line_no = line_no + 1
   end
   file:close()
   assert(count > 0, "no requests for thread " .. tid)
end

-- wrk calls delay() before every request it sends, and request() once more on its own after
-- init() to check the script; that call must not use up a request (or start the clock).
local armed = false

function delay()
   if stop_at ~= nil and now() >= stop_at then
      return 3600000 -- idle until wrk stops
   end
   armed = true
   return 0
end

function request()
   if not armed and stop_at == nil then
      return requests[1] -- wrk's check, not sent
   end
   armed = false
   if stop_at == nil then
      first = now()
      stop_at = first + seconds
   end
   index = index + 1
   if index > count then
      index = 1
      wraps = wraps + 1
   end
   sent = sent + 1
   return requests[index]
end

function response(status, headers, body)
   last = now()
   if status == expected then
      ok = ok + 1
   else
      bad = bad + 1
      local key = tostring(status)
      statuses[key] = (statuses[key] or 0) + 1
   end
end

function done(summary, latency, requests_stats)
   local total_sent, total_ok, total_bad, total_wraps = 0, 0, 0, 0
   local codes = {}
   local t_first, t_last = nil, 0
   for _, thread in ipairs(threads) do
      local f = thread:get("first")
      if f > 0 and (t_first == nil or f < t_first) then
         t_first = f
      end
      t_last = math.max(t_last, thread:get("last"))
      total_sent = total_sent + thread:get("sent")
      total_ok = total_ok + thread:get("ok")
      total_bad = total_bad + thread:get("bad")
      total_wraps = total_wraps + thread:get("wraps")
      local st = thread:get("statuses")
      for code, n in pairs(st) do
         codes[code] = (codes[code] or 0) + n
      end
   end
   local parts = {}
   for code, n in pairs(codes) do
      table.insert(parts, string.format('"%s": %d', code, n))
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH_JSON {"active_s": %.4f, "duration_us": %d, "responses": %d, "sent": %d, "ok": %d, "bad_status": %d, '
         .. '"wraps": %d, "statuses": {%s}, "connect_errors": %d, "read_errors": %d, '
         .. '"write_errors": %d, "timeouts": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, '
         .. '"max_us": %d, "mean_us": %.1f}\n',
      t_last - (t_first or t_last), summary.duration, summary.requests, total_sent, total_ok, total_bad, total_wraps,
      table.concat(parts, ", "), e.connect, e.read, e.write, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency.max, latency.mean
   ))
end

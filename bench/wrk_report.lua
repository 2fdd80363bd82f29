-- bench/http.py's wrk script: count the responses that are not 2xx (a redirect to the
-- sign-in page is a failure here, which wrk's own error count misses), and print one JSON
-- line at the end (latencies in milliseconds; the line starts with "WRK_JSON ").

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   non2xx = 0
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
   end
end

function done(summary, latency, requests)
   local non = 0
   for _, thread in ipairs(threads) do
      non = non + (thread:get("non2xx") or 0)
   end
   local e = summary.errors
   local function ms(us)
      return us / 1000.0
   end
   io.write(string.format(
      'WRK_JSON {"requests": %d, "duration_s": %.6f, "bytes": %d, '
         .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d, '
         .. '"non_2xx": %d}, '
         .. '"latency_ms": {"mean": %.3f, "stdev": %.3f, "max": %.3f, '
         .. '"p50": %.3f, "p90": %.3f, "p99": %.3f}}\n',
      summary.requests, summary.duration / 1e6, summary.bytes,
      e.connect, e.read, e.write, e.status, e.timeout, non,
      ms(latency.mean), ms(latency.stdev), ms(latency.max),
      ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(99))
   ))
end

-- wrk reporter: prints one machine-readable line that bench/load.py parses.
-- Latencies are in microseconds (wrk's native unit). Non-2xx/3xx responses are
-- counted in status_errors; they are still included in the latency histogram.
--
-- When bench/load.py prepends `paths = {...}` to a copy of this file, every request
-- takes the next path of that list (each wrk thread cycles from a different offset).

local counter = 0

if paths ~= nil then
  local thread_index = 0

  setup = function(thread)
    thread:set("offset", thread_index * 7919)
    thread_index = thread_index + 1
  end

  init = function(args)
    counter = tonumber(wrk.thread:get("offset")) or 0
  end

  request = function()
    counter = counter + 1
    return wrk.format("GET", paths[(counter % #paths) + 1])
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,'
      .. '"connect_errors":%d,"read_errors":%d,"write_errors":%d,"status_errors":%d,"timeouts":%d,'
      .. '"mean_us":%.1f,"stdev_us":%.1f,"max_us":%d,'
      .. '"p50_us":%d,"p90_us":%d,"p95_us":%d,"p99_us":%d,"p999_us":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.stdev, latency.max,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency:percentile(99.9)
  ))
end

-- A wrk script that only reports: wrk prints a latency of a second or more to 10 ms ("1.13s"),
-- too coarse to tell two servers apart at 1 s fetches. This prints p50 and p99 in µs, last:
--   wrk -t2 -c1000 -d10s -s maintainers/bench/percentiles.lua http://127.0.0.1:PORT/
--   ...
--   percentiles p50_us=1000412 p99_us=1127804
done = function(summary, latency, requests)
  io.write(string.format("percentiles p50_us=%d p99_us=%d\n", latency:percentile(50), latency:percentile(99)))
end

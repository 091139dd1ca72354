-- A wrk script: each connection sends its requests N at a time (HTTP/1.1 pipelining), so that
-- a connection's next request is already there when the server asks for it.
--   wrk -t2 -c4000 -d8s -s maintainers/bench/pipelined.lua http://127.0.0.1:PORT/ -- N
-- docs/performance.md says what it showed.
init = function(args)
  local depth = tonumber(args[1] or "1")
  if depth == nil or depth < 1 or depth % 1 ~= 0 then
    error("pipelined.lua: after --, give how many requests a connection sends at a time: 1 or more")
  end
  local requests = {}
  for i = 1, depth do requests[i] = wrk.format() end
  batch = table.concat(requests)
end

request = function()
  return batch
end

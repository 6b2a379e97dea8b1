-- Sends DEPTH requests in each write (wrk's usual pipelining script): wrk ... -s pipeline.lua -- 16
init = function(args)
  local depth = tonumber(args[1]) or 1
  local batch = {}
  for i = 1, depth do
    batch[i] = wrk.format()
  end
  req = table.concat(batch)
end

request = function()
  return req
end

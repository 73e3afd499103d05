-- Shared by the lease scripts: every version key KEYS[i] has a holders set KEYS[n + i] (a sorted set of lease
-- tokens scored by expiry, server clock). While any holder is alive the version key holds a lease value, so one
-- write ending never uncovers another that is still in flight. Needs server_clock.lua.
local function settle(key, holders, fresh, at)
  redis.call('ZREMRANGEBYSCORE', holders, '-inf', at)
  local last = redis.call('ZRANGE', holders, -1, -1, 'WITHSCORES')
  if #last == 0 then
    redis.call('DEL', holders)
    redis.call('SET', key, fresh)
  else
    redis.call('SET', key, 'lease:' .. fresh, 'PX', math.max(1, tonumber(last[2]) - at))
  end
end

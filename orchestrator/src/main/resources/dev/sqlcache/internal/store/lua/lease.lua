-- KEYS = version keys then holders sets; ARGV[1..n] = lease tokens, ARGV[n + 1] = lease in milliseconds.
local n = #KEYS / 2
local ttl = tonumber(ARGV[n + 1])
local at = now()
for i = 1, n do
  local holders = KEYS[n + i]
  redis.call('ZREMRANGEBYSCORE', holders, '-inf', at)
  redis.call('ZADD', holders, at + ttl, ARGV[i])
  if redis.call('PTTL', holders) < ttl then
    redis.call('PEXPIRE', holders, ttl)
  end
  local last = redis.call('ZRANGE', holders, -1, -1, 'WITHSCORES')
  redis.call('SET', KEYS[i], ARGV[i], 'PX', math.max(ttl, tonumber(last[2]) - at))
end
return 1

-- KEYS = cachers sets of tables this JVM wants to cache; ARGV[1] = its member name, ARGV[2] = how long the
-- registration lives in ms. A live registration makes every skip permit of the table revoked at its next renewal
-- and keeps new ones from being asked for. Needs server_clock.lua.
local at = now()
local ttl = tonumber(ARGV[2])
for i = 1, #KEYS do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', at)
  redis.call('ZADD', KEYS[i], at + ttl, ARGV[1])
  redis.call('PEXPIRE', KEYS[i], 2 * ttl)
end
return #KEYS

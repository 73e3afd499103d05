-- KEYS[1] = a consumer lease; ARGV[1] = the candidate, ARGV[2] = how long the lease lives in ms.
-- Takes the lease when nobody holds it, renews it when the candidate does; returns 1 when the candidate holds it.
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0

-- KEYS[1] = members, KEYS[2] = fence; ARGV = the remembered epoch, then member, lapse pairs. Puts them back
-- (never over a newer entry), keeps an epoch already there (another member restored first) or sets the
-- remembered one, and takes the fence down. Returns the epoch.
redis.call('DEL', KEYS[2])
for i = 2, #ARGV, 2 do
  redis.call('ZADD', KEYS[1], 'NX', ARGV[i + 1], ARGV[i])
end
local epoch = redis.call('ZRANGEBYSCORE', KEYS[1], '+inf', '+inf')[1]
if not epoch then
  epoch = ARGV[1]
  redis.call('ZADD', KEYS[1], '+inf', epoch)
end
return epoch

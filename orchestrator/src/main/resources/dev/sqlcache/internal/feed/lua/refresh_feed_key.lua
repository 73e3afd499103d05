-- KEYS[1] = a database's feed key; ARGV[1] = a fresh token, ARGV[2] = how long the key lives from now, in ms.
-- Keeps the token when the key is alive (entries stored under it stay valid); a key that expired comes back with a
-- fresh token, so nothing stored before the gap can match it again. Returns 1 when the key was alive.
if redis.call('PEXPIRE', KEYS[1], ARGV[2]) == 1 then
  return 1
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 0

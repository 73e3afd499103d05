-- KEYS = version keys; ARGV = fresh tokens. Each key keeps its token or gets the fresh one; all are returned.
-- One script: set-if-absent, then read back; works on every Redis with scripting (SET NX GET needs 7.0).
local current = {}
for i = 1, #KEYS do
  redis.call('SET', KEYS[i], ARGV[i], 'NX')
  current[i] = redis.call('GET', KEYS[i])
end
return current

-- KEYS[1] = entry, KEYS[2..] = version keys; ARGV[1] = value, ARGV[2] = ttl seconds, ARGV[3..] = expected
-- tokens. Checking and writing inside one script makes the check-then-set atomic against concurrent bumps.
for i = 2, #KEYS do
  if redis.call('GET', KEYS[i]) ~= ARGV[i + 1] then
    return 0
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1

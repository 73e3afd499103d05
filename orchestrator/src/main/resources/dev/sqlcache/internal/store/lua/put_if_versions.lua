-- KEYS[1] = entry, KEYS[2..] = version keys; ARGV[1] = value, ARGV[2] = ttl seconds, ARGV[3..] = expected
-- tokens. Checking and writing inside one script makes the check-then-set atomic against concurrent bumps.
-- The tokens are read with one MGET, not a GET each (issue #13: 4 commands fewer per store of a key-pinned read).
-- A key of another type reads as missing there (GET failed the script): the entry is not written either way.
if #KEYS > 1 then
  local current = redis.call('MGET', unpack(KEYS, 2))
  for i = 2, #KEYS do
    if current[i - 1] ~= ARGV[i + 1] then
      return 0
    end
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1

-- KEYS = version keys then holders sets; ARGV[1..n] = the leases being ended ('' for none), ARGV[n + 1..2n] =
-- fresh tokens. Each key becomes fresh, which invalidates whatever was cached under it, unless another write's
-- lease is still alive: then it stays a lease until that one ends or expires.
local n = #KEYS / 2
local at = now()
for i = 1, n do
  if ARGV[i] ~= '' then
    redis.call('ZREM', KEYS[n + i], ARGV[i])
  end
  settle(KEYS[i], KEYS[n + i], ARGV[n + i], at)
end
return 1

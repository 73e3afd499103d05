-- Whether a skip permit still stands, asked by a skipping write after its commit (or its auto-commit statement)
-- returned and before it returns to the application: an eviction or a DEL from outside may have taken the lease
-- while the holder's local validity still vouched for it. Read only.
-- KEYS[1..n] = the leased version keys, KEYS[n+1..2n] = their holders sets; ARGV[1] = the permit's lease token.
-- Returns 1 when the lease stood throughout (skip_intact.lua), else 0. Needs server_clock.lua and skip_intact.lua.
local n = #KEYS / 2
-- The clock is read only for a shared key: the common case is three GETs.
if permitIntact(1, n, ARGV[1], nil) then
  return 1
end
return 0

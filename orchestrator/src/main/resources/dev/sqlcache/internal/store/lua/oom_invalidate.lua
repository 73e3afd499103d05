-- KEYS = version keys then their holders sets; ARGV[1..n] = the caller's lease token per key ('' for none: a bump,
-- or an end of no particular lease). Run when a full Redis (maxmemory reached, noeviction) refused a lease script's
-- SET: it uses only commands a full Redis still runs (GET, DEL, ZREM: none is denyoom), so it cannot fail the same
-- way. A key is deleted, as good as a fresh token (readers recreate it fresh, so no entry recorded under an older
-- token ever matches again), unless it holds another write's lease, bare or a held mark: deleting that would uncover
-- the other write while it is still in flight (a reader could recreate the token and cache what the database showed
-- before its commit). That key stays a lease; the caller only leaves its holders set, and the other write's end (or
-- the lease's lapse) makes it fresh. Fewer hits at the most (a held mark may now outlast its last holder), never a
-- wrong one. The write sequence holds a number, never a lease: deleted, it starts a new epoch as any lost key does.
local n = #KEYS / 2
for i = 1, n do
  local token = ARGV[i] or ''
  local current = redis.pcall('GET', KEYS[i])
  if type(current) == 'string' and string.sub(current, 1, 6) == 'lease:' and current ~= token then
    if token ~= '' then
      redis.call('ZREM', KEYS[n + i], token)
    end
  else
    redis.call('DEL', KEYS[i])
  end
end
return 1

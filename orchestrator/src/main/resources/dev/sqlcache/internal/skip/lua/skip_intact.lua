-- Whether a skip permit's lease 'token' still stands on every one of the n version keys from KEYS[first] on, whose
-- holders sets follow them (KEYS[i + n] for KEYS[i]): as the key's value, or as a live holder (by the server's clock,
-- 'at', read here when the caller has not yet) of a held mark whose held run began over the permit's own bare token
-- (lease_helpers.lua, Invariant R in docs/consistency.md). A lease that is gone (expired, flushed, evicted, deleted,
-- ended) is never put back (only its holder places its token, bare, once, at a grant answered by one attempt), so
-- true means it has stood without a break since its grant. Neither a key holding another write's bare lease nor a
-- held mark of another run counts, whatever its holders set says: that set may have outlived a key deleted (or
-- evicted) under it, which readers may have recreated and cached before other writes leased it again (review rK:
-- two such writes make it a held mark again). A permit granted into a key other writes held already is therefore
-- never intact: its grant gives it up and asks again at the next round.
local function permitIntact(first, n, token, at)
  for i = first, first + n - 1 do
    local current = redis.call('GET', KEYS[i])
    if current ~= token then
      if not (current and string.sub(current, 1, 11) == 'lease:held:') then
        return false
      end
      -- The run a held mark names ends it: '#<server us>/<origin>', origin being the bare token it was begun over.
      local origin = string.match(current, '#%d+/([^#]*)$')
      if origin ~= token then
        return false
      end
      at = at or now()
      local score = redis.call('ZSCORE', KEYS[i + n], token)
      if not (score and tonumber(score) > at) then
        return false
      end
    end
  end
  return true
end

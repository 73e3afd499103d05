-- Whether a skip permit's lease 'token' still stands on every one of the n version keys from KEYS[first] on, whose
-- holders sets follow them (KEYS[i + n] for KEYS[i]): as the key's value, or as a live holder (by the server's clock,
-- 'at', read here when the caller has not yet) of the held mark the key carries when other writes share it. A lease
-- that is gone (expired, flushed, evicted, deleted, ended) is never put back (only its holder places its token, once,
-- at the grant), so true means it has stood without a break since its grant. A key holding another write's bare
-- lease does not count, whatever its holders set says: the lease scripts make a shared key a held mark, so that set
-- outlived a key deleted (or evicted) under it, and the table may have been cached before that write came.
local function permitIntact(first, n, token, at)
  for i = first, first + n - 1 do
    local current = redis.call('GET', KEYS[i])
    if current ~= token then
      if not (current and string.sub(current, 1, 11) == 'lease:held:') then
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

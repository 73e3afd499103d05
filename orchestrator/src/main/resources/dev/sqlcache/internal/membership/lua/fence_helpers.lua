-- Shared by the membership scripts (KEYS[1] = members, KEYS[2] = fence). Needs one of fence_run*.lua. The set holds one more entry, its
-- epoch, scored +inf so that it is never the earliest and never dropped: the epoch vanishes with the set (a
-- restart without persistence, an eviction), which members notice. The fence lives until the earliest
-- membership lapses; while a lapsed member remains it stays deleted; when it comes back it has a fresh token
-- prefixed with the server's run id, so a fence restored by a restart (from a snapshot that may predate
-- acknowledged invalidations) is recognised and replaced.
local function fence(at, fresh)
  local run = runid()
  local current = redis.call('GET', KEYS[2])
  if current and string.sub(current, 1, #run + 1) ~= run .. ':' then
    redis.call('DEL', KEYS[2])
  end
  local first = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  if #first == 0 then
    redis.call('PERSIST', KEYS[2])
    return
  end
  local earliest = tonumber(first[2])
  if earliest <= at then
    redis.call('DEL', KEYS[2])
    return
  end
  if redis.call('EXISTS', KEYS[2]) == 0 then
    redis.call('SET', KEYS[2], run .. ':' .. fresh)
  end
  redis.call('PEXPIRE', KEYS[2], earliest - at)
end
local function epochOf()
  return redis.call('ZRANGEBYSCORE', KEYS[1], '+inf', '+inf')[1]
end

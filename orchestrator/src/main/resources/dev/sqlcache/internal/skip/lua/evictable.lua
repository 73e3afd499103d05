-- Whether this Redis may evict keys that have a time to live: a maxmemory is set and its policy is not noeviction
-- (the volatile-* policies evict exactly those, the allkeys-* ones anything). A skip permit is a lease with a time
-- to live, and one evicted while a write skips under it would leave another JVM free to cache what that write is
-- changing; so no permit is granted, nor kept, on such a Redis. Unreadable settings count as evictable.
local function evictable()
  local info = redis.call('INFO', 'memory')
  local max = tonumber(string.match(info, 'maxmemory:(%d+)'))
  local policy = string.match(info, 'maxmemory_policy:([%w%-]+)')
  return max == nil or policy == nil or (max > 0 and policy ~= 'noeviction')
end

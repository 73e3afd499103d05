-- KEYS[1] = members, KEYS[2] = fence, KEYS[3] = registrations; ARGV = member, the lapse the caller saw, fresh token.
-- Drops a member whose database sessions another member found all gone, only if it is still lapsed with that
-- very lapse: one that joined again meanwhile (a new, later lapse) stays. The fence then comes back with a fresh
-- token unless another member keeps it down. Returns 1 when dropped. Needs server_clock.lua and fence_helpers.lua.
local at = now()
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) ~= tonumber(ARGV[2]) or tonumber(score) > at then
  return 0
end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
fence(at, ARGV[3])
return 1

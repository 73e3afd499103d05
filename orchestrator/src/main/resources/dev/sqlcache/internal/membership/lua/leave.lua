-- KEYS[1] = members, KEYS[2] = fence, KEYS[3] = registrations; ARGV = member, fresh token. Needs server_clock.lua and fence_helpers.lua.
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
fence(now(), ARGV[2])
return 1

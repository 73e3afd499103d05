-- KEYS[1] = members, KEYS[2] = fence; ARGV = member, fresh token. Needs server_clock.lua and fence_helpers.lua.
redis.call('ZREM', KEYS[1], ARGV[1])
fence(now(), ARGV[2])
return 1

-- KEYS = version keys whose tokens were changed without the lease scripts (deleted by a full Redis, or bumped by
-- the admin tool); ARGV[1] = the notice header. Tells the near caches. Needs server_clock.lua, near_helpers.lua.
return notify(ARGV[1], 1, #KEYS)

-- What the fence token's prefix names: this server's run, which a restart changes (a restart from a snapshot may
-- bring back tokens and entries from before acknowledged invalidations).
local function runid()
  return string.match(redis.call('INFO', 'server'), 'run_id:(%x+)')
end

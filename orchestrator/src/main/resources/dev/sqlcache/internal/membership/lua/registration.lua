-- KEYS[1] = registrations; ARGV[1] = member. Its registration, or nil when it has none written in this server's
-- run (a restart from a snapshot or a promoted replica may hold an older one, lacking databases it had
-- registered). Needs one of fence_run*.lua.
local value = redis.call('HGET', KEYS[1], ARGV[1])
local run = runid() .. '|'
if not value or string.sub(value, 1, #run) ~= run then
  return nil
end
return string.sub(value, #run + 1)

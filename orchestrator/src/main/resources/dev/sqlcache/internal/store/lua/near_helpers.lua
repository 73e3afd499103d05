-- Shared by the scripts that change version tokens. Near caches (in-process copies of entries, see NearCache)
-- register in the sorted set NEAR_MEMBERS, scored by the server-clock time their near lease lapses. Whatever changes
-- a token tells them on NEAR_CHANNEL, in the same script, so that a member which later receives its own renewal's
-- marker (published after this notice) has dropped what the change made stale. Needs server_clock.lua.
local NEAR_MEMBERS = 'sql:_near:members'
local NEAR_CHANNEL = 'sql:_near:notices'

-- Publishes "N\n<header>\n<key>\n<key>..." (header: "<writer>\n<notice id>") for KEYS[first..last], write
-- sequences left out, when any near cache is registered. Returns {server ms, member, lapse, ...} of the live ones
-- (they must acknowledge or lapse before the change counts as seen), or {} when there are none.
local function notify(header, first, last)
  if redis.call('EXISTS', NEAR_MEMBERS) == 0 then
    return {}
  end
  local at = now()
  local live = redis.call('ZRANGEBYSCORE', NEAR_MEMBERS, '(' .. at, '+inf', 'WITHSCORES')
  if #live == 0 then
    return {}
  end
  local parts = {'N', header}
  for i = first, last do
    if string.sub(KEYS[i], 1, 18) ~= 'sql:_database:seq:' then
      parts[#parts + 1] = KEYS[i]
    end
  end
  redis.call('PUBLISH', NEAR_CHANNEL, table.concat(parts, '\n'))
  local reply = {at}
  for i = 1, #live do
    reply[#reply + 1] = live[i]
  end
  return reply
end

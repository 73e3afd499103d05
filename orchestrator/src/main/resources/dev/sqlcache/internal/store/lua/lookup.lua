-- KEYS[1] = an entry, KEYS[2..n+1] = the version keys it depends on; ARGV[1] = a fresh base token, ARGV[2..n+1]
-- = per version key, what to do when it is missing: '-1' leave it missing (the fence: only renewals create it),
-- '0' create it (base .. ':' .. i) without expiry, else create it with that many milliseconds to live;
-- ARGV[n+2] = the largest entry the caller reads, in bytes.
-- Returns {entry, or false, or its length when over that cap (see read_entry); token or false, ...}. Creating the
-- missing tokens here, before the caller runs its query, is what lets a later write's fresh token refuse the
-- caller's late store; doing it in the lookup saves the round trip a separate creation would cost.
local n = #KEYS - 1
local reply = {read_entry(KEYS[1], tonumber(ARGV[n + 2]))}
for i = 1, n do
  local token = redis.call('GET', KEYS[i + 1])
  if not token and ARGV[i + 1] ~= '-1' then
    token = ARGV[1] .. ':' .. i
    if ARGV[i + 1] == '0' then
      redis.call('SET', KEYS[i + 1], token)
    else
      redis.call('SET', KEYS[i + 1], token, 'PX', ARGV[i + 1])
    end
  end
  reply[i + 1] = token or false
end
-- Last, for an entry that was sent: how long it has left (ms), so that a copy kept in-process dies with it.
if type(reply[1]) == 'string' then
  reply[#reply + 1] = redis.call('PTTL', KEYS[1])
end
return reply

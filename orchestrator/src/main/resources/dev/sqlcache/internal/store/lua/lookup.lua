-- KEYS[1] = an entry, KEYS[2..n+1] = the version keys it depends on; ARGV[1] = a fresh base token, ARGV[2..n+1]
-- = per version key, what to do when it is missing: '-1' leave it missing (the fence: only renewals create it),
-- '0' create it (base .. ':' .. i) without expiry, else create it with that many milliseconds to live;
-- ARGV[n+2] = the largest entry the caller reads, in bytes.
-- Returns {entry, or false, or its length when over that cap (see read_entry); token or false, ...}. Creating the
-- missing tokens here, before the caller runs its query, is what lets a later write's fresh token refuse the
-- caller's late store; doing it in the lookup saves the round trip a separate creation would cost.
-- A database's write sequence (CacheStore.SEQUENCE_PREFIX) is created as a number, not as a token.
local LOOKUP_SEQUENCE = 'sql:_database:seq:'
local n = #KEYS - 1
local reply = {read_entry(KEYS[1], tonumber(ARGV[n + 2]))}
for i = 1, n do
  local token = redis.call('GET', KEYS[i + 1])
  if not token and ARGV[i + 1] ~= '-1' then
    token = ARGV[1] .. ':' .. i
    if string.sub(KEYS[i + 1], 1, #LOOKUP_SEQUENCE) == LOOKUP_SEQUENCE then
      -- A write sequence begins a history: its server ms then no step yet (see lease_helpers.lua).
      token = (historyStart(nil, ARGV[1])) .. '000000'
    end
    if ARGV[i + 1] == '0' then
      redis.call('SET', KEYS[i + 1], token)
    else
      redis.call('SET', KEYS[i + 1], token, 'PX', ARGV[i + 1])
    end
  end
  reply[i + 1] = token or false
end
-- Last, how long the entry (-2: none sent) and the shortest-lived version key that readers never create, but the
-- fence (-1: none expires), have left, in ms: a copy kept in-process never outlives either (the change feed's key
-- expires without notice; the fence's near caches learn of from their renewals; a created token that expires only
-- comes back fresh, which changes no answer).
reply[n + 2] = type(reply[1]) == 'string' and redis.call('PTTL', KEYS[1]) or -2
local shortest = -1
for i = 3, #KEYS do
  local left = ARGV[i] == '-1' and redis.call('PTTL', KEYS[i]) or -1
  if left >= 0 and (shortest < 0 or left < shortest) then
    shortest = left
  end
end
reply[n + 3] = shortest
return reply

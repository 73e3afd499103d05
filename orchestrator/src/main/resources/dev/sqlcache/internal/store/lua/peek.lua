-- KEYS[1] = an entry, KEYS[2..] = the version keys it depends on; ARGV[1] = the largest entry the caller reads.
-- Returns {entry, or false, or its length when over the cap; token or false, ...}: the lookup when nothing is to
-- be created. Flagged no-writes, so a full (noeviction) or read-only server still answers it, as it did MGET.
local reply = {read_entry(KEYS[1], tonumber(ARGV[1]))}
if #KEYS > 1 then
  local tokens = redis.call('MGET', unpack(KEYS, 2))
  for i = 1, #tokens do
    reply[i + 1] = tokens[i]
  end
end
-- Last, how long the entry (-2: none sent) and the shortest-lived version key but the fence (-1: none expires) have
-- left, in ms: a copy kept in-process never outlives either (the change feed's key, say, expires without notice).
local n = #KEYS - 1
reply[n + 2] = type(reply[1]) == 'string' and redis.call('PTTL', KEYS[1]) or -2
local shortest = -1
for i = 3, #KEYS do
  local left = redis.call('PTTL', KEYS[i])
  if left >= 0 and (shortest < 0 or left < shortest) then
    shortest = left
  end
end
reply[n + 3] = shortest
return reply

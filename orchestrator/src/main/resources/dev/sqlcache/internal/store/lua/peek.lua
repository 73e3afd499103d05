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
-- Last, for an entry that was sent: how long it has left (ms), so that a copy kept in-process dies with it.
if type(reply[1]) == 'string' then
  reply[#reply + 1] = redis.call('PTTL', KEYS[1])
end
return reply

-- KEYS[1] = the near members, KEYS[2] = the fence; ARGV = member, near lease ms, marker nonce. Renews the member's
-- near lease and publishes its marker on the notice channel after every notice published before it: the member
-- counts the lease from when it sent this renewal, but only once it has received the marker, so whatever its
-- listener missed (a dead subscription) keeps its near cache off. The marker carries the fence, whose change
-- (a member lapsed, or a restart) clears every near cache. Drops members lapsed for a minute. Returns the server ms.
-- Needs server_clock.lua, near_helpers.lua and near_publisher.lua (or its cluster variant).
-- The marker also says whether the member's lease was still live here ('1'): if not (it lapsed, or the set was lost
-- or edited), writers may have left it out, and it drops every copy.
local at = now()
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
local continuous = (score and tonumber(score) > at) and '1' or '0'
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', at - 60000)
redis.call('ZADD', KEYS[1], at + tonumber(ARGV[2]), ARGV[1])
-- A renewal ends what the writers' marks claim: that no near lease was granted since they were set.
redis.call('ZREM', KEYS[1], NEAR_PENDING, NEAR_QUIET)
local fence = redis.call('GET', KEYS[2]) or ''
local marker = 'R\n' .. ARGV[1] .. '\n' .. ARGV[3] .. '\n' .. fence .. '\n' .. continuous
local node = publisher()
if node then
  marker = marker .. '\n' .. node
end
redis.call('PUBLISH', NEAR_CHANNEL, marker)
return at

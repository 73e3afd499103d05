-- KEYS[1] = members, KEYS[2] = fence, KEYS[3] = the join ticket, KEYS[4] = the members' database registrations;
-- ARGV = member, '1' to join, membership ms, fence timeout ms, fresh token, the cap of a renewal (server ms, 0 for
-- none), the epoch the member remembers ('' for none), the member's registration ('' for none: then the field is
-- left alone). A registration is written only by a renewal after which the member is alive, and goes with the
-- member when it is dropped. It carries the server's run (fence_run*.lua): one written before a restart, which
-- may have rolled it back, or on another primary, which may not have passed it on, is not believed. Returns {server time, epoch, member, lapse, ...} when the member is alive afterwards, {-1} when
-- its membership had lapsed or its ticket had expired (it must join again), {-2} when the set is not the one
-- the member remembers (it must restore it first). A renewal never lowers a membership and never takes it
-- beyond its cap. Needs server_clock.lua and fence_helpers.lua.
local epoch = epochOf()
if ARGV[7] ~= '' and epoch ~= ARGV[7] then
  return {-2}
end
local at = now()
local dropped = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', at - tonumber(ARGV[4]))
if #dropped > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', at - tonumber(ARGV[4]))
  redis.call('HDEL', KEYS[4], unpack(dropped))
end
local lapse = at + tonumber(ARGV[3])
if ARGV[2] == '1' then
  if redis.call('DEL', KEYS[3]) == 0 then
    return {-1}
  end
else
  local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
  if not score or tonumber(score) <= at then
    fence(at, ARGV[5])
    return {-1}
  end
  local cap = tonumber(ARGV[6])
  if cap > 0 and cap < lapse then
    lapse = cap
  end
  if tonumber(score) > lapse then
    lapse = tonumber(score)
  end
end
redis.call('ZADD', KEYS[1], lapse, ARGV[1])
if ARGV[8] ~= '' then
  redis.call('HSET', KEYS[4], ARGV[1], runid() .. '|' .. ARGV[8])
end
if not epoch then
  epoch = 'epoch:' .. ARGV[5]
  redis.call('ZADD', KEYS[1], '+inf', epoch)
end
fence(at, ARGV[5])
local reply = {at, epoch}
local all = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(+inf', 'WITHSCORES')
for i = 1, #all do
  reply[#reply + 1] = all[i]
end
return reply

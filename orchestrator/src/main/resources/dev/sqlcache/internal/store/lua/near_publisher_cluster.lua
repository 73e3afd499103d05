-- On a Redis Cluster a PUBLISH also reaches the subscribers of every other node, over the cluster bus, which may drop
-- messages when a link breaks: a marker that came that way does not show that every notice before it arrived. So the
-- marker names the node that ran the renewal, by its run and replication history (as the cluster's fence does:
-- a node demoted and promoted back takes a new master_replid), and a holder trusts only markers published by the
-- node its subscription is on (RedisNearChannel).
local function publisher()
  return string.match(redis.call('INFO', 'server'), 'run_id:(%x+)') .. '-'
      .. (string.match(redis.call('INFO', 'replication'), 'master_replid:(%x+)') or '')
end

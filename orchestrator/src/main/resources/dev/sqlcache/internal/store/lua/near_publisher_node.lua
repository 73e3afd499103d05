-- Where the primary can change (a Redis Cluster, or a Sentinel group) a holder may hear a marker that its own
-- server did not publish: on a cluster a PUBLISH also reaches the subscribers of every other node, over the cluster
-- bus, which may drop messages when a link breaks; and a replica (the old primary demoted under a live
-- subscription, say) passes on to its subscribers what its primary publishes, through replication, which a full
-- resynchronisation leaves with a gap. A marker that came either way does not show that every notice before it
-- arrived. So the marker names the node that ran the renewal, by its run and replication history (as the cluster's
-- fence does: a node demoted and promoted back takes a new master_replid), and a holder trusts only markers
-- published by the node its subscription is on (RedisNearChannel).
local function publisher()
  return string.match(redis.call('INFO', 'server'), 'run_id:(%x+)') .. '-'
      .. (string.match(redis.call('INFO', 'replication'), 'master_replid:(%x+)') or '')
end

-- On a Redis Cluster, the fence token's prefix names this node's run and its replication history: a restart changes
-- the first, a promotion the second (a promoted replica takes a new master_replid). The run id alone would let a
-- node that was master, became a replica and was promoted back keep a fence from its first term, with entries and
-- tokens that predate the writes its replacement acknowledged and it lost.
local function runid()
  local info = redis.call('INFO', 'replication')
  return string.match(redis.call('INFO', 'server'), 'run_id:(%x+)') .. '-'
      .. (string.match(info, 'master_replid:(%x+)') or '')
end

-- Put before a lease script that a full Redis (maxmemory reached, noeviction) refused: Redis refuses a script's
-- denyoom command (SET, INCR) only while the script has written nothing, never halfway, so a first write that a full
-- Redis runs lets the lease be placed whole, a few hundred bytes over maxmemory. A ZREM of '' (no lease token is
-- empty) from the last holders set changes nothing. A lease deleted instead, or left to another write, would leave
-- this write uncovered once memory is freed while it is in flight (OutOfMemoryRefusedLeaseAttackTest).
redis.call('ZREM', KEYS[#KEYS], '')

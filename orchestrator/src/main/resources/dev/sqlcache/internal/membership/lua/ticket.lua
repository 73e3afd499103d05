-- KEYS[1] = the ticket; ARGV[1] = its life in ms. The DEL first is a write a full Redis (maxmemory,
-- noeviction) still allows, and a script that has written may go on writing: so a JVM can join a full Redis,
-- as the renewal and lease scripts (which also start with a deletion) keep working in one.
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
return 1

-- KEYS[1] = a consumer lease; ARGV[1] = its holder. Deletes it only if that holder still has it.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0

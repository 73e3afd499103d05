-- The entry under key: false when missing, or its length (an integer) when it is longer than cap bytes, in which
-- case it is never sent. Jedis reads a whole bulk reply into memory before anyone can look at it, so this is where
-- a hostile 100 MB value under an entry key is stopped: on the server, in the same round trip. A key holding
-- another type (a list, a hash) reads as an empty string, which the caller refuses as corrupt.
local function read_entry(key, cap)
  local length = redis.pcall('STRLEN', key)
  if type(length) ~= 'number' then
    return ''
  end
  if length > cap then
    return length
  end
  return redis.call('GET', key)
end

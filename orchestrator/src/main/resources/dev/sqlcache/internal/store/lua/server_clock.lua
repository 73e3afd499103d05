-- Milliseconds on the server's clock: every expiry is judged by one clock, never by comparing machines'.
local function now()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

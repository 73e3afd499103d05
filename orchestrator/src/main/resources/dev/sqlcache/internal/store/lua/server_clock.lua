-- Milliseconds on the server's clock: every expiry is judged by one clock, never by comparing machines'.
local function now()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- The same, or nil when this user may not run TIME (an ACL without it): for readings a script can do without.
local function nowIfAllowed()
  local t = redis.pcall('TIME')
  if type(t) ~= 'table' or t.err then
    return nil
  end
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- The first of a new write sequence's history (see lease_helpers.lua): the server's ms, 13 digits; without TIME, a
-- 13-digit number from the random hex digits given (another history's start is then equal by chance only).
local function historyStart(at, hex)
  local ms = at or nowIfAllowed()
  if ms then
    return string.format('%d', ms), ms
  end
  return string.format('%d', 1e12 + (tonumber(string.match(hex or '', '%x%x%x%x%x%x%x%x%x%x') or '0', 16))), nil
end

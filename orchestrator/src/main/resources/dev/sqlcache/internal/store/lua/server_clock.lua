-- The server's clock in microseconds as the script last read it (nil before): names a held run (lease_helpers.lua).
local clockMicros

-- Milliseconds on the server's clock: every expiry is judged by one clock, never by comparing machines'.
local function now()
  local t = redis.call('TIME')
  clockMicros = t[1] .. string.format('%06d', tonumber(t[2]))
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- The same, or nil when this user may not run TIME (an ACL without it): for readings a script can do without.
local function nowIfAllowed()
  local t = redis.pcall('TIME')
  if type(t) ~= 'table' or t.err then
    return nil
  end
  clockMicros = t[1] .. string.format('%06d', tonumber(t[2]))
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- The first of a new write sequence's history (see lease_helpers.lua): 13 digits drawn from the caller's random hex
-- digits (44 bits), from 10^12 to 9223372036853, so that the history's last value (999999 steps on) still fits
-- INCR's signed 64 bits. Random, not the server's ms: a history begun in the millisecond another was lost, or on a
-- clock set back, would share that one's epoch (docs/consistency.md, "The write sequence as a number"). Returns the
-- start and 'at' unchanged (no clock reading needed). Without hex digits (callers always send some), the server ms.
local SEQUENCE_STARTS = 8223372036854
local function historyStart(at, hex)
  local digits = string.match(hex or '', '%x%x%x%x%x%x%x%x%x%x%x')
  if digits then
    return string.format('%d', 1e12 + tonumber(digits, 16) % SEQUENCE_STARTS), at
  end
  local ms = at or nowIfAllowed()
  if ms then
    return string.format('%d', ms), ms
  end
  return '1000000000000', nil
end

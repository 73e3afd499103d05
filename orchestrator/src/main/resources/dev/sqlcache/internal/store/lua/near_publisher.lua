-- On one server (or with Sentinel) a marker need not say where it was published: the holder's subscription is on
-- the only server that runs the renewals.
local function publisher()
  return nil
end

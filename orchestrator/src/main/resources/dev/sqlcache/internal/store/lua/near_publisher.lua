-- On a fixed address a marker need not say where it was published: the holder's subscription is on the only server
-- that runs the renewals (a server that restarts ends the subscription). With Sentinel or a Cluster, see
-- near_publisher_node.lua.
local function publisher()
  return nil
end

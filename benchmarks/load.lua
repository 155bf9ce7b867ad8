-- wrk script: GET the path with a random line of $LOAD_POOL appended (URL-encoded), or the bare
-- path when no pool is given; $LOAD_COOKIE is sent as the Cookie header when set.
local pool = {}
local path = os.getenv("LOAD_POOL")
if path and path ~= "" then
  for line in io.lines(path) do
    if line ~= "" then
      pool[#pool + 1] = line:gsub("([^%w%-_%.~])", function(c)
        return string.format("%%%02X", string.byte(c))
      end)
    end
  end
end
local cookie = os.getenv("LOAD_COOKIE")
if cookie and cookie ~= "" then wrk.headers["Cookie"] = cookie end
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
request = function()
  if #pool == 0 then return wrk.format("GET", wrk.path) end
  return wrk.format("GET", wrk.path .. pool[math.random(#pool)])
end

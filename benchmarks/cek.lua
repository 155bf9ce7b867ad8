-- wrk script: POST a random (NIK, name) pair from benchmarks/data/cek-pool.txt as JSON.
local pool = {}
local path = os.getenv("CEK_POOL")
for line in io.lines(path) do
  local nik, name = line:match("^(%d+)\t(.+)$")
  if nik then pool[#pool + 1] = '{"nik":"' .. nik .. '","name":"' .. name .. '"}' end
end
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  return wrk.format(nil, nil, nil, pool[math.random(#pool)])
end

-- wrk script: the service benchmark's request mix as closed-loop traffic, to measure capacity
-- (the most requests/s the server answers) with a generator that costs little CPU.
-- 1,000 reads : 100 writes; users Zipf(1.1) over `users`; half the reads /search_facts, half
-- /v1/memories/search, questions drawn from a fixed list (so repeats hit the caches as in loadgen.py);
-- writes alternate /extract_facts and synchronous POST /v1/memories.
-- Usage: wrk -t2 -c32 -d30s -s mix.lua http://127.0.0.1:PORT -- API_KEY [USERS]

local key, users = "", 100
local cdf = {}
local questions = {
  "What does the user like?", "where do they live", "Does the user have a pet?", "favourite colour",
  "which school", "Who is the sister?", "upcoming trip", "Người dùng sống ở đâu?", "what pet do they have",
  "Tell me what the user likes", "Which city is home?", "trip next month", "What is my favorite color?",
}
local facts = {
  "I love jazz.", "My sister Lan likes chess.", "I have a dog named Max.", "I live in Hanoi.",
  "My favorite color is teal.", "I study at MIT.", "I am planning a trip to Paris next month.",
}

function init(args)
  key = args[1] or ""
  users = tonumber(args[2] or "100")
  local total, acc = 0, 0
  for k = 1, users do total = total + 1 / k ^ 1.1 end
  for k = 1, users do acc = acc + (1 / k ^ 1.1) / total; cdf[k] = acc end
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end

local function user()
  local x, lo, hi = math.random(), 1, users
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cdf[mid] < x then lo = mid + 1 else hi = mid end
  end
  return "user" .. (lo - 1)
end

local function quoted(text) return '"' .. text .. '"' end  -- the texts above hold no quote

function request()
  local headers = { ["X-API-Key"] = key, ["Content-Type"] = "application/json" }
  local roll = math.random()
  if roll < 100 / 1100 then
    local message = '[{"role":"user","content":' .. quoted(facts[math.random(#facts)]) .. '}]'
    if roll < 50 / 1100 then
      return wrk.format("POST", "/extract_facts", headers, '{"messages":' .. message .. ',"user_id":"' .. user() .. '"}')
    end
    return wrk.format("POST", "/v1/memories", headers,
      '{"messages":' .. message .. ',"user_id":"' .. user() .. '","async":false}')
  end
  local path = math.random() < 0.5 and "/search_facts" or "/v1/memories/search"
  local body = '{"query":' .. quoted(questions[math.random(#questions)]) .. ',"user_id":"' .. user() .. '","limit":10}'
  return wrk.format("POST", path, headers, body)
end

function done(summary, latency, requests)
  io.write(string.format("wrk: %d requests in %.1f s = %.1f req/s; non-2xx or socket errors: %d; latency p50 %.2f ms, p95 %.2f ms, p99 %.2f ms\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end

-- wrk script for scripts/bench scenario 2: hammer POST /sign-in with a wrong
-- password so every request costs the server an argon2 verification.
-- A real CSRF token + session cookie (fresh anonymous session, obtained by
-- scripts/bench) is used so requests get past CSRF checks to the hashing.
--   SIGNIN_CSRF_TOKEN  csrf_token from that session's sign-in form
--   SIGNIN_COOKIE      full Cookie header value for that session
-- Usage: wrk -t1 -c8 -s scripts/bench-signin.lua http://HOST/sign-in

local function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

local token = os.getenv("SIGNIN_CSRF_TOKEN") or "x"
local cookie = os.getenv("SIGNIN_COOKIE") or ""

wrk.method = "POST"
wrk.body = "email=nobody%40example.com&password=wrong-password-123&csrf_token=" .. urlencode(token)
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
if cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end

-- Count status codes per thread so the report shows whether requests reached
-- the password check (e.g. 200/401/422 re-render) or were cut short (403/429).
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses") or {}) do
      total[code] = (total[code] or 0) + n
    end
  end
  local codes = {}
  for code in pairs(total) do table.insert(codes, code) end
  table.sort(codes)
  for _, code in ipairs(codes) do
    io.write(string.format("Status %d: %d\n", code, total[code]))
  end
end

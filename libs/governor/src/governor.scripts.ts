// The governor's Redis scripts. Each runs atomically, so any number of processes share one view of
// a number's timeline, a pair's quota and a portfolio's window. They mirror the pure rules in
// domain/ line for line (same formulas, same operation order, integer µs / milli-mps / ms) and take
// the caller's clock, never Redis TIME, so tests can drive them with a fake clock.
import { LuaScript } from '@app/redis';

// Only ever extend a key's life: a caller with a lower limit must not shorten what another set.
const EXTEND_TTL = `
local function extend(key, ms)
  local ttl = redis.call('PTTL', key)
  if ms > 0 and ttl < ms then redis.call('PEXPIRE', key, ms) end
end
`;

/** KEYS: number hash. ARGV: nowMs, limitMilli, want, headroom, horizonMs, recoverPerSecond, keepMs. */
export const RESERVE_SLOTS = new LuaScript(
  'reserve-slots',
  `${EXTEND_TTL}
local key = KEYS[1]
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local headroom = tonumber(ARGV[4])
local horizonUs = tonumber(ARGV[5]) * 1000
local recover = tonumber(ARGV[6])
local keep = tonumber(ARGV[7])
local s = redis.call('HMGET', key, 'tat', 'r', 'at')
local tat = tonumber(s[1]) or 0
local rate = limit
if s[2] then
  local r = tonumber(s[2])
  local at = tonumber(s[3])
  rate = math.min(limit, r + math.floor(limit * recover * math.max(0, now - at) / 1000))
end
local interval = math.ceil(1e9 / (rate * (1 - headroom)))
local nowUs = now * 1000
local first = math.max(tat, nowUs)
local room = nowUs + horizonUs - first
local granted = 0
if room >= 0 then granted = math.min(want, math.floor(room / interval) + 1) end
local newTat = first + granted * interval
if granted > 0 then
  redis.call('HSET', key, 'tat', string.format('%.0f', newTat))
  extend(key, math.ceil(newTat / 1000) - now + keep)
end
return {granted, string.format('%.0f', first), interval, rate, string.format('%.0f', newTat)}
`,
);

/** KEYS: number hash. ARGV: nowMs, limitMilli, decreaseFactor, minMilli, cooldownMs, recover, keepMs. */
export const THROTTLED = new LuaScript(
  'throttled',
  `${EXTEND_TTL}
local key = KEYS[1]
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local factor = tonumber(ARGV[3])
local minRate = tonumber(ARGV[4])
local cooldown = tonumber(ARGV[5])
local recover = tonumber(ARGV[6])
local keep = tonumber(ARGV[7])
local s = redis.call('HMGET', key, 'r', 'at')
local rate = limit
if s[1] then
  local r = tonumber(s[1])
  local at = tonumber(s[2])
  if now - at < cooldown then return {r, at, 0} end
  rate = math.min(limit, r + math.floor(limit * recover * math.max(0, now - at) / 1000))
end
local newRate = math.max(minRate, math.floor(rate * factor))
redis.call('HSET', key, 'r', newRate, 'at', now)
extend(key, math.ceil((math.max(0, limit - newRate) * 1000) / (limit * recover)) + keep)
return {newRate, now, 1}
`,
);

/** KEYS: one pair hash per recipient. ARGV: nowMs, intervalMs, burst, keepMs. → 0 or notBeforeMs each. */
export const TAKE_PAIR_TOKENS = new LuaScript(
  'take-pair-tokens',
  `${EXTEND_TTL}
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local tolerance = (tonumber(ARGV[3]) - 1) * interval
local keep = tonumber(ARGV[4])
local out = {}
for i = 1, #KEYS do
  local s = redis.call('HMGET', KEYS[i], 'tat', 'until', 'xend')
  local tat = tonumber(s[1]) or 0
  local blocked = tonumber(s[2]) or 0
  local xend = tonumber(s[3]) or 0
  local first = math.max(tat, now)
  local notBefore = math.max(first - tolerance, blocked)
  if notBefore > now then
    out[i] = notBefore
  else
    local newTat = first + interval
    redis.call('HSET', KEYS[i], 'tat', string.format('%.0f', newTat))
    extend(KEYS[i], math.max(newTat, blocked, xend) - now + keep)
    out[i] = 0
  end
end
return out
`,
);

/** KEYS: pair hash. ARGV: nowMs, maxBackoffMs, keepMs. → {attempt X, retryAtMs}. */
export const PAIR_RATE_LIMITED = new LuaScript(
  'pair-rate-limited',
  `${EXTEND_TTL}
local key = KEYS[1]
local now = tonumber(ARGV[1])
local maxMs = tonumber(ARGV[2])
local keep = tonumber(ARGV[3])
local function backoff(x) return math.min((4 ^ math.min(x, 20)) * 1000, maxMs) end
local s = redis.call('HMGET', key, 'tat', 'n', 'xend')
local tat = tonumber(s[1]) or 0
local n = tonumber(s[2]) or 0
local xend = tonumber(s[3]) or 0
if xend <= now then n = 0 end
local retryAt = now + backoff(n)
local newXend = retryAt + backoff(n + 1)
redis.call('HSET', key, 'until', string.format('%.0f', retryAt), 'n', n + 1,
  'xend', string.format('%.0f', newXend))
extend(key, math.max(tat, retryAt, newXend) - now + keep)
return {n, retryAt}
`,
);

/**
 * KEYS: portfolio sorted set (recipient → last counted ms). ARGV: nowMs, windowMs, limit, keepMs,
 * recipients… → {heldUntilMs or -1, count in window, 1/0 admitted per recipient}.
 */
export const ADMIT_RECIPIENTS = new LuaScript(
  'admit-recipients',
  `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local keep = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
local out = {-1, 0}
local held = 0
for i = 5, #ARGV do
  local r = ARGV[i]
  local known = redis.call('ZSCORE', key, r)
  if known or count < limit then
    if not known then count = count + 1 end
    -- GT: a process with a lagging clock must not move a recipient back in the window.
    redis.call('ZADD', key, 'GT', now, r)
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
    held = held + 1
  end
end
if held > 0 then
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  out[1] = tonumber(oldest[2]) + window
end
out[2] = count
if count > 0 then redis.call('PEXPIRE', key, window + keep) end
return out
`,
);

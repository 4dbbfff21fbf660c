"""The Lua scripts of the Redis state (state.py): every multi-key write is one atomic call.

Arguments are strings; '' stands for None.  ARGV[1] of every script is the key prefix (keys.py).
"""

# The Lua function that marks one article exported, shared with commit.py's script.
# Arguments are strings; '' stands for None.  P is the key prefix (ARGV[1] of every script).
# Times stay the strings Python sent (repr of a float): Lua's numbers print with 14 digits,
# which would round them, and a row read back must equal the row written (import/export).
MARK_LUA = r"""
local function mark(P, url, site, chash, file, modified, revision, now, worker, offset)
  local akey = P .. 'articles'
  local old = redis.call('HGET', akey, url)
  local first = now
  if old then
    local o = cjson.decode(old)
    if o.first_seen then first = tostring(o.first_seen) end
    if type(o.content_hash) == 'string' and o.content_hash ~= chash then
      redis.call('ZREM', P .. 'hash:' .. o.content_hash, url)
    end
    if o.site ~= site then
      redis.call('ZREM', P .. 'first:' .. o.site, url)
      redis.call('ZREM', P .. 'last:' .. o.site, url)
    end
  end
  local row = {site = site, first_seen = first, last_seen = now, revision = tonumber(revision) or 1}
  if chash ~= '' then row.content_hash = chash end
  if file ~= '' then row.export_file = file end
  if modified ~= '' then row.modified_at = modified end
  if worker ~= '' then row.worker = worker; row.offset = tonumber(offset) end
  redis.call('HSET', akey, url, cjson.encode(row))
  redis.call('SADD', P .. 'sites', site)
  redis.call('ZADD', P .. 'first:' .. site, first, url)
  redis.call('ZADD', P .. 'last:' .. site, now, url)
  if chash ~= '' then redis.call('ZADD', P .. 'hash:' .. chash, first, url) end
end
"""

MARK = MARK_LUA + r"""
mark(ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], '', '')
return 1
"""

# ARGV: prefix, now, then 6 per row: url, site, hash, file, modified_at, revision
MARK_MANY = MARK_LUA + r"""
local added = 0
for i = 3, #ARGV, 6 do
  if redis.call('HEXISTS', ARGV[1] .. 'articles', ARGV[i]) == 0 then
    mark(ARGV[1], ARGV[i], ARGV[i+1], ARGV[i+2], ARGV[i+3], ARGV[i+4], ARGV[i+5], ARGV[2], '', '')
    added = added + 1
  end
end
return added
"""

TOUCH = r"""
local akey = ARGV[1] .. 'articles'
local old = redis.call('HGET', akey, ARGV[2])
if not old then return 0 end
local o = cjson.decode(old)
o.last_seen = ARGV[3]
redis.call('HSET', akey, ARGV[2], cjson.encode(o))
redis.call('ZADD', ARGV[1] .. 'last:' .. o.site, ARGV[3], ARGV[2])
return 1
"""

# ARGV: prefix, mode ('site' | 'before'), value, urls...: forget the rows that (still) match
FORGET = r"""
local P, mode, value = ARGV[1], ARGV[2], ARGV[3]
local akey = P .. 'articles'
local removed = 0
for i = 4, #ARGV do
  local url = ARGV[i]
  local old = redis.call('HGET', akey, url)
  if old then
    local o = cjson.decode(old)
    if (mode == 'site' and o.site == value) or (mode == 'before' and tonumber(o.last_seen) < tonumber(value)) then
      redis.call('HDEL', akey, url)
      redis.call('ZREM', P .. 'first:' .. o.site, url)
      redis.call('ZREM', P .. 'last:' .. o.site, url)
      if type(o.content_hash) == 'string' then redis.call('ZREM', P .. 'hash:' .. o.content_hash, url) end
      removed = removed + 1
    end
  end
end
return removed
"""

MARK_GONE = r"""
local old = redis.call('HGET', ARGV[1] .. 'gone', ARGV[2])
local first = ARGV[5]
if old then first = tostring(cjson.decode(old).first_seen) end
redis.call('HSET', ARGV[1] .. 'gone', ARGV[2],
  cjson.encode({site = ARGV[3], status = tonumber(ARGV[4]), first_seen = first, last_seen = ARGV[5]}))
return 1
"""


# ARGV: prefix, then 8 per row: url, site, first, last, hash, file, modified_at, revision.
# Merge with a row already there: first_seen = min, last_seen = max, the other fields from the
# higher (revision, last_seen); so importing twice, or both ways, changes nothing the second time.
PUT = MARK_LUA + r"""
local P = ARGV[1]
local added, updated = 0, 0
for i = 2, #ARGV, 8 do
  local url, site, first, last, rev = ARGV[i], ARGV[i+1], ARGV[i+2], ARGV[i+3], tonumber(ARGV[i+7])
  local old = redis.call('HGET', P .. 'articles', url)
  local changed = false
  if not old then
    mark(P, url, site, ARGV[i+4], ARGV[i+5], ARGV[i+6], rev, last, '', '')
    added = added + 1
  else
    local o = cjson.decode(old)
    local ofirst, olast, orev = tostring(o.first_seen), tostring(o.last_seen), tonumber(o.revision) or 1
    if rev > orev or (rev == orev and tonumber(last) > tonumber(olast)) then
      if tonumber(olast) > tonumber(last) then last = olast end
      mark(P, url, site, ARGV[i+4], ARGV[i+5], ARGV[i+6], rev, last, '', '')
      changed = true
    elseif tonumber(last) > tonumber(olast) then
      o.last_seen = last
      redis.call('HSET', P .. 'articles', url, cjson.encode(o))
      redis.call('ZADD', P .. 'last:' .. o.site, last, url)
      changed = true
    end
    if tonumber(ofirst) <= tonumber(first) then first = ofirst end
  end
  -- mark() keeps the first_seen it found (or now): set the merged one
  local row = cjson.decode(redis.call('HGET', P .. 'articles', url))
  if tostring(row.first_seen) ~= first then
    row.first_seen = first
    redis.call('HSET', P .. 'articles', url, cjson.encode(row))
    redis.call('ZADD', P .. 'first:' .. row.site, first, url)
    if type(row.content_hash) == 'string' then redis.call('ZADD', P .. 'hash:' .. row.content_hash, first, url) end
    if old then changed = true end
  end
  if changed then updated = updated + 1 end
end
return {added, updated}
"""

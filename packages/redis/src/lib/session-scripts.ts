import { LuaScript } from './lua-script.js';

/**
 * The writes of a session hash, one script each so that none is half done
 * and none recreates a hash that expired meanwhile (a plain HSET would, and
 * without a TTL).
 */

/** KEYS[1]; ARGV: sealed keys, sealed attributes, expiresAt, window size, TTL (ms). A new, empty window. */
export const saveScript = new LuaScript(`
redis.call('DEL', KEYS[1])
local ttl = tonumber(ARGV[5])
if ttl <= 0 then return 0 end
redis.call('HSET', KEYS[1], 'keys', ARGV[1], 'attributes', ARGV[2], 'expiresAt', ARGV[3],
  'highest', '-1', 'size', ARGV[4], 'window', string.rep(string.char(0), tonumber(ARGV[4]) / 8))
redis.call('PEXPIRE', KEYS[1], ttl)
return 1
`);

/** KEYS[1]. Erases the secrets and the window, leaves the marker until the hash's TTL. */
export const revokeScript = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HDEL', KEYS[1], 'keys', 'attributes', 'highest', 'size', 'window')
redis.call('HSET', KEYS[1], 'revoked', '1')
return 1
`);

/** KEYS[1]; ARGV[1] sealed attributes. Only a live, unrevoked session is bound. */
export const bindScript = new LuaScript(`
local state = redis.call('HMGET', KEYS[1], 'keys', 'revoked')
if not state[1] or state[2] then return 0 end
redis.call('HSET', KEYS[1], 'attributes', ARGV[1])
return 1
`);

import type { WindowVerdict } from '@cipherlayer/core';
import { LuaScript } from './lua-script.js';

/**
 * Core's ReplayWindow (spec section 10.2), check-and-mark in one script, so
 * it is atomic across every server instance sharing Redis. The state is the
 * spec's serialized window: `highest` (decimal), `size`, and `window`, the
 * ring of `size` bits as `size/8` bytes, 32-bit words big-endian, bit
 * `p mod 32` counted from the word's least significant bit.
 *
 * KEYS[1] the session hash; ARGV[1] the counter (decimal), ARGV[2] now (ms).
 * Returns 0 fresh, 1 replayed, 2 too old, 3 unknown (gone, revoked, expired).
 *
 * Numbers are Lua doubles: exact for every safe integer, and math.fmod is
 * exact where `%` (a - floor(a/b)*b) may round. `highest` is stored as the
 * counter's own decimal string, never formatted by Lua (%.14g).
 */
const source = `
local state = redis.call('HMGET', KEYS[1], 'expiresAt', 'revoked', 'highest', 'size', 'window')
local expiresAt, revoked, highest, size, bits = state[1], state[2], tonumber(state[3]), tonumber(state[4]), state[5]
if not expiresAt or revoked or not highest or not size or not bits then return 3 end
if tonumber(expiresAt) <= tonumber(ARGV[2]) then return 3 end
local counter = tonumber(ARGV[1])

-- 1-based byte index and bit mask of counter n in the ring
local function locate(n)
  local position = math.fmod(n, size)
  local word = math.floor(position / 32)
  local bitInWord = position % 32
  return word * 4 + 4 - math.floor(bitInWord / 8), 2 ^ (bitInWord % 8)
end

if counter > highest then
  -- Clear the positions of the counters the window slides over, then move its top.
  local bytes = { string.byte(bits, 1, -1) }
  local steps = math.min(counter - highest, size)
  if steps == size then
    for i = 1, #bytes do bytes[i] = 0 end
  else
    for n = highest + 1, highest + steps do
      local index, mask = locate(n)
      bytes[index] = bit.band(bytes[index], bit.bnot(mask))
    end
  end
  local index, mask = locate(counter)
  bytes[index] = bit.bor(bytes[index], mask)
  redis.call('HSET', KEYS[1], 'highest', ARGV[1], 'window', string.char(unpack(bytes)))
  return 0
end
if counter <= highest - size then return 2 end
local index, mask = locate(counter)
local byte = string.byte(bits, index)
if bit.band(byte, mask) ~= 0 then return 1 end
redis.call('HSET', KEYS[1], 'window', string.sub(bits, 1, index - 1) .. string.char(bit.bor(byte, mask)) .. string.sub(bits, index + 1))
return 0
`;

export const acceptCounterScript = new LuaScript(source);

const verdicts: readonly (WindowVerdict | 'unknown')[] = ['fresh', 'replayed', 'too-old', 'unknown'];

export function verdictOf(reply: unknown): WindowVerdict | 'unknown' {
  const verdict = typeof reply === 'number' ? verdicts[reply] : undefined;
  if (verdict === undefined) throw new Error('unexpected reply from the replay window script');
  return verdict;
}

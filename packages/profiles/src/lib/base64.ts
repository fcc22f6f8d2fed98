import { CipherlayerError } from '@cipherlayer/core';

/**
 * Standard padded base64, as the seeds put on the wire (Node's
 * `toString('base64')`), decoded strictly: only the canonical encoding of
 * some bytes is accepted. Node's own decoder skips what it does not
 * understand, which would let two strings stand for one message.
 */
export function fromBase64Strict(text: string): Buffer {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) throw new CipherlayerError('ERR_MALFORMED');
  return bytes;
}

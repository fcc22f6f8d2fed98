import { toBase64Url } from '@cipherlayer/core';

/**
 * Key names (README, "Key layout"). A session is one hash; its id is the
 * hash tag, so whatever a later version adds for a session lands in the
 * same Redis Cluster slot and one script can touch it all.
 */

export function sessionKey(prefix: string, sessionId: Uint8Array): string {
  return `${prefix}session:{${toBase64Url(sessionId)}}`;
}

export function replayKey(prefix: string, id: string): string {
  return `${prefix}replay:${id}`;
}

import {
  generateServerKey,
  runFlow,
  type ServerKey,
  type ServerKeyOptions,
  ServerKeySet,
} from '@cipherlayer/core';
import { nodeBackend } from '@cipherlayer/core/node';

/** A fixed "now" for tests that move the clock. */
export const START = Date.UTC(2031, 4, 1, 12, 0, 0);

export class ManualClock {
  constructor(public time = START) {}
  readonly now = (): number => this.time;
  advance(ms: number): void {
    this.time += ms;
  }
}

export function serverKey(options: ServerKeyOptions): ServerKey {
  return runFlow(nodeBackend, generateServerKey(options));
}

export function keySet(keyId = 1): ServerKeySet {
  return new ServerKeySet([serverKey({ keyId })]);
}

import type { SyncCryptoBackend } from '@cipherlayer/core';
import { nodeBackend } from '@cipherlayer/core/node';

/** nodeBackend, counting every primitive it is asked for: proof that a request was refused before any crypto. */
export function countingBackend(): { backend: SyncCryptoBackend; calls: () => number; reset: () => void } {
  let calls = 0;
  const backend = new Proxy(nodeBackend, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls++;
        return Reflect.apply(value, target, args);
      };
    },
  });
  return { backend, calls: () => calls, reset: () => (calls = 0) };
}

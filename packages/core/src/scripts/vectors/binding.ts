import { encodeBinding, type RequestBinding, responseAad } from '../../cl1/binding.js';
import { toHex } from '../../lib/bytes.js';
import { isCipherlayerError } from '../../lib/errors.js';
import type { BindingVector, StatusVector } from './types.js';

const BINDINGS: readonly { name: string; binding: RequestBinding }[] = [
  { name: 'origin-form target with a query', binding: { method: 'POST', target: '/api/transfer?from=1' } },
  {
    name: 'method in lower case is bound as sent (methods are case-sensitive)',
    binding: { method: 'get', target: '/' },
  },
  { name: 'asterisk-form target', binding: { method: 'OPTIONS', target: '*' } },
  { name: 'extension method token', binding: { method: 'M-SEARCH', target: '/' } },
  {
    name: 'percent-encoded target, kept as sent',
    binding: { method: 'PATCH', target: '/caf%C3%A9?q=a%20b' },
  },
  { name: 'target longer than 255 bytes', binding: { method: 'GET', target: `/${'a'.repeat(299)}` } },
  { name: 'empty method', binding: { method: '', target: '/' } },
  { name: 'method with a space', binding: { method: 'GET ', target: '/' } },
  { name: 'method longer than 32 bytes', binding: { method: 'A'.repeat(33), target: '/' } },
  { name: 'target without a leading slash', binding: { method: 'GET', target: 'api/x' } },
  { name: 'absolute-form target', binding: { method: 'GET', target: 'https://example.com/' } },
  { name: 'empty target', binding: { method: 'GET', target: '' } },
];

const STATUSES: readonly number[] = [100, 200, 201, 204, 404, 999, 99, 1000, 200.5];

function outcome<T>(compute: () => T): { value: T } | { error: BindingVector['error'] } {
  try {
    return { value: compute() };
  } catch (error) {
    if (!isCipherlayerError(error)) throw error;
    return { error: error.code };
  }
}

/** The request binding's bytes, and the two status bytes of response associated data. */
export function bindingVectors(): { bindings: BindingVector[]; statuses: StatusVector[] } {
  const bindings = BINDINGS.map(({ name, binding }) => {
    const result = outcome(() => toHex(encodeBinding(binding)));
    return 'value' in result
      ? { name, binding, bytes: result.value }
      : { name, binding, error: result.error };
  }) as BindingVector[];
  const statuses = STATUSES.map((status) => {
    const result = outcome(() => toHex(responseAad(new Uint8Array(0), status)));
    return 'value' in result ? { status, bytes: result.value } : { status, error: result.error };
  }) as StatusVector[];
  return { bindings, statuses };
}

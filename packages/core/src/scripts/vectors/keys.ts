import type { Suite } from '../../hpke/suites.js';
import { P256_SHA256_AES256GCM, X25519_SHA256_AES256GCM } from '../../hpke/suites.js';
import { ServerKeySet } from '../../keys/key-set.js';
import { publicKeyPin, subjectPublicKeyInfo } from '../../keys/pin.js';
import { readDiscoveryKeys, selectServerKey } from '../../keys/select.js';
import { generateServerKey, type ServerKey, type ServerKeyOptions } from '../../keys/server-key.js';
import type { CryptoBackend } from '../../lib/backend.js';
import { fromBase64Url, toHex } from '../../lib/bytes.js';
import { isCipherlayerError } from '../../lib/errors.js';
import { runFlow } from '../../lib/flow.js';
import { encodeKeyConfig, encodeKeyConfigList } from '../../ohttp/key-config.js';
import { KEY_FIXTURES, SERVER_TIME } from './fixtures.js';
import { scriptedBackend } from './scripted-backend.js';
import { assertSame } from './trace.js';
import type {
  KeyEntry,
  KeysVector,
  SelectionCase,
  SelectionOutcome,
  ServerKeyRef,
  SuiteIds,
} from './types.js';

export function suiteIds(suite: Suite): SuiteIds {
  return {
    name: suite.kem.curve === 'X25519' ? 'X25519' : 'P-256',
    kem: suite.kem.id,
    kdf: suite.kdf.id,
    aead: suite.aead.id,
  };
}

const suitesByName = { X25519: X25519_SHA256_AES256GCM, 'P-256': P256_SHA256_AES256GCM } as const;

export function privateKeyBytes(key: ServerKey): Uint8Array {
  return fromBase64Url(key.toPrivateJwk().d);
}

export function serverKeyRef(key: ServerKey): ServerKeyRef {
  return { keyId: key.keyId, privateKey: toHex(privateKeyBytes(key)), publicKey: toHex(key.publicKey) };
}

/** The key set of KEY_FIXTURES, generated through `generateServerKey` with scripted seeds. */
export async function buildKeySet(base: CryptoBackend): Promise<ServerKeySet> {
  const script = scriptedBackend(
    base,
    KEY_FIXTURES.map((k) => ({ purpose: `key ${k.keyId} ikm`, value: k.ikm })),
  );
  const keys: ServerKey[] = [];
  for (const fixture of KEY_FIXTURES) {
    const options: ServerKeyOptions = { keyId: fixture.keyId, suite: fixture.suite };
    if (fixture.notBefore !== undefined) options.notBefore = Date.parse(fixture.notBefore);
    if (fixture.notAfter !== undefined) options.notAfter = Date.parse(fixture.notAfter);
    keys.push(await runFlow(script.backend, generateServerKey(options)));
  }
  script.assertDone();
  return new ServerKeySet(keys);
}

interface SelectionFixture {
  readonly name: string;
  readonly now: number;
  readonly suites?: readonly SuiteIds['name'][];
  /** Key ids whose pins the client holds. */
  readonly pinnedKeys?: readonly number[];
}

const SELECTION_CASES: readonly SelectionFixture[] = [
  { name: 'newest valid key, any allowed suite', now: SERVER_TIME },
  { name: 'X25519 only', now: SERVER_TIME, suites: ['X25519'] },
  { name: 'P-256 only', now: SERVER_TIME, suites: ['P-256'] },
  { name: 'pinned to key 1', now: SERVER_TIME, pinnedKeys: [1] },
  { name: 'pinned to key 3, published but not yet valid', now: SERVER_TIME, pinnedKeys: [3] },
  {
    name: 'pinned to key 0, which has expired and is no longer published',
    now: SERVER_TIME,
    pinnedKeys: [0],
  },
  { name: 'P-256 only, pinned to an X25519 key', now: SERVER_TIME, suites: ['P-256'], pinnedKeys: [1] },
  { name: 'once key 3 is valid (its notBefore)', now: Date.parse('2026-02-01T00:00:00.000Z') },
  {
    name: 'X25519 only, at the notAfter of key 1 (exclusive)',
    now: Date.parse('2026-06-01T00:00:00.000Z'),
    suites: ['X25519'],
  },
];

/** Key configs, the discovery document, its application/ohttp-keys view, pins and key selection. */
export async function keysVector(base: CryptoBackend, keySet: ServerKeySet): Promise<KeysVector> {
  const entries: KeyEntry[] = [];
  const pins = new Map<number, string>();
  for (const key of keySet.keys) {
    const fixture = KEY_FIXTURES.find((k) => k.keyId === key.keyId);
    if (fixture === undefined) throw new Error('key without a fixture');
    const curve = key.suite.kem.curve;
    const pin = await runFlow(base, publicKeyPin(curve, key.publicKey));
    pins.set(key.keyId, pin);
    entries.push({
      keyId: key.keyId,
      suite: suiteIds(key.suite),
      ikm: fixture.ikm,
      privateKey: toHex(privateKeyBytes(key)),
      publicKey: toHex(key.publicKey),
      ...(fixture.notBefore === undefined ? {} : { notBefore: fixture.notBefore }),
      ...(fixture.notAfter === undefined ? {} : { notAfter: fixture.notAfter }),
      spki: toHex(subjectPublicKeyInfo(curve, key.publicKey)),
      pin,
      keyConfig: toHex(
        encodeKeyConfig({
          keyId: key.keyId,
          kemId: key.suite.kem.id,
          publicKey: key.publicKey,
          algorithms: [{ kdfId: key.suite.kdf.id, aeadId: key.suite.aead.id }],
        }),
      ),
    });
  }
  const discovery = await runFlow(base, keySet.discovery(SERVER_TIME));
  const ohttpKeys = fromBase64Url(discovery.ohttpKeys);
  const publishedIds = discovery.keys.map((k) => Number(k.kid));
  assertSame(
    'application/ohttp-keys lists the published keys in discovery order',
    ohttpKeys,
    encodeKeyConfigList(
      publishedIds.map((id) => {
        const key = keySet.keys.find((k) => k.keyId === id) as ServerKey;
        return {
          keyId: id,
          kemId: key.suite.kem.id,
          publicKey: key.publicKey,
          algorithms: [{ kdfId: key.suite.kdf.id, aeadId: key.suite.aead.id }],
        };
      }),
    ),
  );
  const published = await runFlow(base, readDiscoveryKeys(discovery));
  const selection: SelectionCase[] = [];
  for (const c of SELECTION_CASES) {
    const casePins = c.pinnedKeys?.map((id) => pins.get(id) as string);
    const options = {
      now: c.now,
      ...(casePins === undefined ? {} : { pins: casePins }),
      ...(c.suites === undefined ? {} : { suites: c.suites.map((s) => suitesByName[s]) }),
    };
    let expect: SelectionOutcome;
    try {
      expect = { keyId: selectServerKey(published, options).keyId };
    } catch (error) {
      if (!isCipherlayerError(error)) throw error;
      expect = { error: error.code };
    }
    selection.push({
      name: c.name,
      now: c.now,
      ...(c.suites === undefined ? {} : { suites: c.suites }),
      ...(casePins === undefined ? {} : { pins: casePins }),
      expect,
    });
  }
  return {
    name: 'key set during a rotation',
    now: SERVER_TIME,
    keys: entries,
    privateKeySet: keySet.toPrivateDocument(),
    discovery,
    ohttpKeys: toHex(ohttpKeys),
    selection,
  };
}

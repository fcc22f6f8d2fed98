/**
 * The Web Crypto backend's conformance suites, bundled for the browser by
 * webcrypto-in-chromium.test.ts. The page exposes them on one global; every
 * function takes plain JSON and returns plain JSON (bytes as hex in vectors,
 * base64url in messages). Nothing reachable from here may import node:* or
 * the node backend.
 */
import * as crossOpen from './cross-open.js';
import { inspectKeyHandles } from './key-handles.js';
import { runHpkeVectors, runOhttpVectors } from './vectors.js';

export type { OpenedReport, WireBody, WireResponse } from './cross-open.js';
export type { KeyHandleReport } from './key-handles.js';
export type { Mismatch, Rfc9458Vector, VectorReport } from './vectors.js';

/** The global the page defines once this module has loaded. */
export const CONFORMANCE_GLOBAL = 'cipherlayerConformance';

const api = {
  runHpkeVectors,
  runOhttpVectors,
  inspectKeyHandles,
  ...crossOpen,
  userAgent: async () => navigator.userAgent,
};

export type ConformanceApi = typeof api;

(globalThis as Record<string, unknown>)[CONFORMANCE_GLOBAL] = api;

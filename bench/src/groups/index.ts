import type { BenchGroup } from '../group.js';
import { backends } from './backends.js';
import { bodies } from './bodies.js';
import { handshake } from './handshake.js';
import { peers } from './peers.js';
import { records } from './records.js';
import { session } from './session.js';
import { stateless } from './stateless.js';

/** Every group, in report order. A new group is one file here and one line below. */
export const groups: readonly BenchGroup[] = [
  stateless,
  session,
  bodies,
  peers,
  handshake,
  backends,
  records,
];

import type { Command } from '../lib/command.js';
import { benchCommand } from './bench.js';
import { certsDevCommand } from './certs/dev.js';
import { inspectCommand } from './inspect/command.js';
import { keysGenerateCommand } from './keys/generate.js';
import { keysListCommand } from './keys/list.js';
import { keysPinCommand } from './keys/pin.js';
import { keysRotateCommand } from './keys/rotate.js';
import { recordsReencryptCommand } from './records/reencrypt.js';
import { recordsRewrapCommand } from './records/rewrap.js';
import { recordsVerifyCommand } from './records/verify.js';

export const COMMANDS: readonly Command[] = [
  keysGenerateCommand,
  keysListCommand,
  keysRotateCommand,
  keysPinCommand,
  inspectCommand,
  recordsRewrapCommand,
  recordsReencryptCommand,
  recordsVerifyCommand,
  certsDevCommand,
  benchCommand,
];

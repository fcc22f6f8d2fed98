import { stat } from 'node:fs/promises';
import { CL1_MAGIC } from '@cipherlayer/core';
import { inputError, usageError } from '../../lib/cli-error.js';
import { readInput } from '../../lib/files.js';

/** Where the message came from, for the report. */
export type Source = 'file' | 'argument' | 'stdin';

export interface RawMessage {
  readonly source: Source;
  readonly bytes: Uint8Array;
}

const MAX_INPUT = 16 * 1024 * 1024;

async function readStream(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_INPUT) throw inputError('the message on stdin is larger than 16 MiB');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * The message to inspect: an existing file path is read; "-" (or nothing,
 * when stdin is not a terminal) reads stdin; anything else is the message
 * text itself (JSON, base64url, a JWE).
 */
export async function readMessage(
  argument: string | undefined,
  stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean },
): Promise<RawMessage> {
  if (argument === undefined || argument === '-') {
    if (argument === undefined && stdin.isTTY === true)
      throw usageError('give the message: a file, its text, or - to read stdin (cipherlayer inspect --help)');
    const bytes = await readStream(stdin);
    if (bytes.length === 0) throw inputError('stdin is empty: nothing to inspect');
    return { source: 'stdin', bytes };
  }
  const isFile = await stat(argument).then(
    (s) => s.isFile(),
    () => false,
  );
  if (isFile) {
    const bytes = await readInput(argument, 'message file');
    if (bytes.length > MAX_INPUT) throw inputError(`${argument} is larger than 16 MiB`);
    return { source: 'file', bytes };
  }
  if (
    /^[./~]|[\\/]/.test(argument) &&
    !argument.trimStart().startsWith('{') &&
    !/^[A-Za-z0-9_-]+$/.test(argument)
  )
    throw inputError(`cannot read message file ${argument}: no such file`);
  return { source: 'argument', bytes: Buffer.from(argument, 'utf8') };
}

export function isBinaryCl1(bytes: Uint8Array): boolean {
  return bytes[0] === CL1_MAGIC;
}

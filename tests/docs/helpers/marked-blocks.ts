import { readFileSync } from 'node:fs';

/** A fenced code block that the Markdown marks for testing with `<!-- test: name -->`. */
export interface MarkedBlock {
  readonly name: string;
  /** The fence's info string: `js`, `sh`... */
  readonly lang: string;
  /** The block's text, exactly as a reader copies it (ends with a newline). */
  readonly code: string;
  /** 1-based line of the opening fence, for failure messages. */
  readonly line: number;
}

const MARKER = /^<!-- test: ([a-z0-9-]+) -->$/;
const FENCE = /^```([\w+-]*)\s*$/;

/**
 * Every block marked `<!-- test: name -->`; the marker is followed by the
 * opening fence on the next non-blank line. A marker without a block, or a
 * name used twice, is an error: a marked snippet must never go untested
 * because the Markdown around it changed.
 */
export function readMarkedBlocks(path: string): Map<string, MarkedBlock> {
  const lines = readFileSync(path, 'utf8').split('\n');
  const blocks = new Map<string, MarkedBlock>();
  for (let i = 0; i < lines.length; i++) {
    const marker = MARKER.exec(lines[i]!.trim());
    if (marker === null) continue;
    const name = marker[1]!;
    let at = i + 1;
    while (at < lines.length && lines[at]!.trim() === '') at++;
    const fence = FENCE.exec(lines[at] ?? '');
    if (fence === null) throw new Error(`${path}:${i + 1}: marker "${name}" is not followed by a code block`);
    const end = lines.findIndex((line, j) => j > at && line.trim() === '```');
    if (end === -1) throw new Error(`${path}:${at + 1}: code block "${name}" is not closed`);
    if (blocks.has(name)) throw new Error(`${path}:${i + 1}: two blocks are marked "${name}"`);
    blocks.set(name, {
      name,
      lang: fence[1]!,
      code: `${lines.slice(at + 1, end).join('\n')}\n`,
      line: at + 1,
    });
    i = end;
  }
  return blocks;
}

/** The block marked `name`, or a failure that says which one is missing. */
export function block(blocks: ReadonlyMap<string, MarkedBlock>, name: string): MarkedBlock {
  const found = blocks.get(name);
  if (found === undefined) throw new Error(`no code block is marked <!-- test: ${name} -->`);
  return found;
}

/** Lines of code in a block, as the docs count them ("under 20 lines"). */
export function lineCount(marked: MarkedBlock): number {
  return marked.code.trimEnd().split('\n').length;
}

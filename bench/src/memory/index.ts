import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Mode } from '../group.js';
import type { Section, SectionResult } from '../section.js';
import { parseSessionHeap, type SessionMemory, sessionMemory } from './figures.js';

/**
 * `--only memory`: memory per 10k live sessions in the default memory
 * session store, measured in a child process of its own (started with
 * --expose-gc, so that every sample follows full collections and nothing
 * else of the bench is on its heap). Peak RSS under load is in the HTTP
 * tables, per variant.
 */

const CHILD = fileURLToPath(new URL('./session-heap.js', import.meta.url));
const TIMEOUT_MS = 120_000;

/** Sessions made: 500 in quick mode (scaled to 10k in the table), 10,000 in full. */
export const sessionsFor = (mode: Mode) => (mode.name === 'quick' ? 500 : 10_000);

function runChild(sessions: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [String(sessions)], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else
        reject(
          new Error(`the memory child exited with ${signal ?? code}: ${err.trim().split('\n').pop() ?? ''}`),
        );
    });
  });
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(2)} KiB`;

export function renderSessionMemory(m: SessionMemory, title: string, name: string): string {
  return [
    `## ${title} (\`${name}\`)`,
    '',
    `Memory held per live cl1 session by the default in-memory session store (\`MemorySessionStore\`), measured in a child process started with \`--expose-gc\`: ${m.sessions.toLocaleString('en-US')} sessions made by real handshakes (\`ServerProtocol.handshake\`), \`process.memoryUsage()\` after two full collections with the sessions stored and again once the store was let go; the difference, over the sessions. The JS heap and the memory outside it (ArrayBuffers, key objects) are both counted. The server's handshake replay cache, which remembers each handshake until its time window closes, is reported on its own. Peak RSS per HTTP variant under load is in the HTTP tables.`,
    '',
    '| sessions | JS heap per session | outside the heap per session | total per session | per 10,000 sessions | handshake replay cache, per handshake |',
    '|---:|---:|---:|---:|---:|---:|',
    `| ${m.sessions.toLocaleString('en-US')}${m.complete ? '' : ' (some evicted!)'} | ${kib(m.heapPerSession)} | ${kib(m.externalPerSession)} | ${kib(m.totalPerSession)} | **${m.mibPer10k.toFixed(1)} MiB** | ${kib(m.replayCachePerHandshake)} |`,
    '',
  ].join('\n');
}

export const memory: Section = {
  name: 'memory',
  title: 'Memory per 10k live sessions',
  async run(mode: Mode, progress): Promise<SectionResult> {
    const sessions = sessionsFor(mode);
    progress(`memory: ${sessions} handshakes in a child process`);
    const figures = sessionMemory(parseSessionHeap(await runChild(sessions)));
    return {
      name: this.name,
      markdown: renderSessionMemory(figures, this.title, this.name),
      failures: figures.complete ? [] : ['memory: the store evicted sessions during the measurement'],
      figures,
    };
  },
};

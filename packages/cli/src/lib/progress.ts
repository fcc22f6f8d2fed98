/**
 * A progress display on stderr. On a terminal: one line redrawn in place,
 * with a bar. Elsewhere (CI logs, pipes): plain lines, the first at once,
 * then at most one per interval, and the last of each phase.
 */
export interface ProgressUpdate {
  readonly phase: string;
  readonly done: number;
  readonly total: number;
  readonly unit: string;
  /** Items per second in this run; computed from time when absent. */
  readonly rate?: number;
}

export interface ProgressOptions {
  readonly terminal: boolean;
  readonly intervalMs?: number;
  readonly clock?: () => number;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return h > 0
    ? `${h}h${String(m).padStart(2, '0')}m`
    : m > 0
      ? `${m}m${String(rest).padStart(2, '0')}s`
      : `${rest}s`;
}

export function progressLine(update: ProgressUpdate, rate: number, bar: boolean): string {
  const total = Math.max(update.total, update.done);
  const fraction = total === 0 ? 1 : update.done / total;
  const width = 24;
  const filled = Math.round(fraction * width);
  const eta = rate > 0 ? formatDuration((total - update.done) / rate) : '?';
  return [
    update.phase.padEnd(9),
    bar ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]` : '',
    `${update.done}/${total} ${update.unit}`,
    `(${(fraction * 100).toFixed(1)}%)`,
    `${Math.round(rate)} ${update.unit}/s`,
    `ETA ${update.done >= total ? '0s' : eta}`,
  ]
    .filter((part) => part.length > 0)
    .join(' ');
}

export class Progress {
  readonly #write: (text: string) => void;
  readonly #terminal: boolean;
  readonly #interval: number;
  readonly #clock: () => number;
  #phase: string | undefined;
  #phaseStart = 0;
  #startDone = 0;
  #lastLine = 0;
  #drawn = false;

  constructor(write: (text: string) => void, options: ProgressOptions) {
    this.#write = write;
    this.#terminal = options.terminal;
    this.#interval = options.intervalMs ?? (options.terminal ? 100 : 2000);
    this.#clock = options.clock ?? Date.now;
  }

  update(update: ProgressUpdate): void {
    const now = this.#clock();
    const newPhase = update.phase !== this.#phase;
    if (newPhase) {
      if (this.#terminal && this.#drawn) this.#write('\n');
      this.#phase = update.phase;
      this.#phaseStart = now;
      this.#startDone = update.done;
      this.#lastLine = 0;
    }
    const elapsed = (now - this.#phaseStart) / 1000;
    const rate = update.rate ?? (elapsed > 0 ? (update.done - this.#startDone) / elapsed : 0);
    const last = update.done >= update.total;
    if (!newPhase && !last && now - this.#lastLine < this.#interval) return;
    this.#lastLine = now;
    if (this.#terminal) {
      this.#write(`\r\u001b[2K${progressLine(update, rate, true)}`);
      this.#drawn = true;
    } else {
      this.#write(`${progressLine(update, rate, false)}\n`);
    }
  }

  /** Ends the redrawn line on a terminal. */
  finish(): void {
    if (this.#terminal && this.#drawn) this.#write('\n');
    this.#drawn = false;
  }
}

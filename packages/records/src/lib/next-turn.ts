/**
 * One turn of the event loop. A job on PGlite (in this thread, no I/O) is a
 * single chain of promise continuations: without a turn between batches,
 * timers, signal handlers and progress displays would not run until it ends,
 * and an abort signal raised by a timer or Ctrl-C would never be seen.
 */
export const nextTurn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/** The messages between the bench (parent) and a server child, over Node's IPC channel. */

export type ParentMessage =
  | { readonly type: 'start'; readonly spec: unknown }
  | { readonly type: 'cpu'; readonly id: number }
  /** Answered once the scheme has no background work pending (the rsa-session pool refilled). */
  | { readonly type: 'settle'; readonly id: number }
  | { readonly type: 'stop' };

export type ChildMessage =
  | { readonly type: 'ready'; readonly port: number }
  | { readonly type: 'failed'; readonly message: string }
  | {
      readonly type: 'cpu';
      readonly id: number;
      /** µs, since the child started (process.cpuUsage()). */
      readonly user: number;
      readonly system: number;
      /** Resident set size, bytes. */
      readonly rss: number;
      /** The process's peak resident set size so far (getrusage maxrss), bytes. */
      readonly peakRss: number;
    }
  | { readonly type: 'settled'; readonly id: number };

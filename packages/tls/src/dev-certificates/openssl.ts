import { execFile } from 'node:child_process';
import { CipherlayerError } from '@cipherlayer/core';
import { configError } from '../lib/options.js';

/**
 * Runs the openssl binary with arguments (never a shell). Its stdout is
 * returned; a failure names the subcommand and openssl's last line of
 * stderr, which speaks of files and options, never of key bytes.
 */
export function runOpenssl(binary: string, args: readonly string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(binary, args, { cwd, maxBuffer: 1 << 20, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error === null) return resolve(stdout);
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        return reject(
          configError(
            `${binary} not found: install OpenSSL (Debian: apt-get install openssl) or pass its path`,
            error,
          ),
        );
      const last = stderr.trim().split('\n').pop() ?? '';
      reject(
        new CipherlayerError('ERR_INTERNAL', { detail: `openssl ${args[0]} failed: ${last}`, cause: error }),
      );
    });
  });
}

/** OpenSSL's GeneralizedTime for -startdate/-enddate: YYYYMMDDHHMMSSZ, whole seconds, UTC. */
export function opensslTime(date: Date): string {
  return `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

import { CipherlayerError } from '@cipherlayer/core';

/** What a Node.js request body is: a readable stream of Buffers. */
export interface BodyStream {
  on(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  on(event: 'end' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

/**
 * Refuses a declared length over the limit before a byte is read. A bad
 * Content-Length never gets this far (Node's parser rejects it).
 */
export function checkDeclaredLength(contentLength: string | undefined, limit: number): void {
  if (contentLength !== undefined && Number(contentLength) > limit)
    throw new CipherlayerError('ERR_TOO_LARGE');
}

/**
 * Reads a request body, counting bytes as they arrive: over `limit`, it
 * stops reading and fails with ERR_TOO_LARGE (the adapter then answers 413
 * and closes the connection), so an oversized message is never buffered
 * whole, parsed or decrypted.
 */
export function readBody(
  stream: BodyStream,
  contentLength: string | undefined,
  limit: number,
): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    checkDeclaredLength(contentLength, limit);
    const chunks: Buffer[] = [];
    let length = 0;
    const cleanup = (): void => {
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      stream.removeListener('error', onError);
      stream.removeListener('close', onClose);
    };
    function onData(chunk: Buffer | string): void {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      length += bytes.length;
      if (length > limit) {
        cleanup();
        stream.pause();
        reject(new CipherlayerError('ERR_TOO_LARGE'));
        return;
      }
      chunks.push(bytes);
    }
    function onEnd(): void {
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, length));
    }
    function onError(cause: Error): void {
      cleanup();
      reject(new CipherlayerError('ERR_MALFORMED', { cause }));
    }
    function onClose(): void {
      // The client went away before the end of the body.
      cleanup();
      reject(new CipherlayerError('ERR_MALFORMED'));
    }
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
    stream.resume();
  });
}

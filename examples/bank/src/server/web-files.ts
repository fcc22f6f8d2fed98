import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import type { FastifyInstance } from 'fastify';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
};

function filesUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * The page Vite built, served as it is (public files: no cl1, by design;
 * what the page then sends and receives is). Read once at startup: the
 * build is fixed while the server runs.
 */
export function registerWebFiles(app: FastifyInstance, webDir: string): void {
  if (!existsSync(join(webDir, 'index.html')))
    throw new Error(
      `The page is not built: no ${join(webDir, 'index.html')}. Run "npm run build:web" in examples/bank.`,
    );
  for (const path of filesUnder(webDir)) {
    const url = `/${relative(webDir, path).split(sep).join('/')}`;
    const body = readFileSync(path);
    const type = CONTENT_TYPES[extname(path)] ?? 'application/octet-stream';
    // Hashed asset names never change content; the page itself is always fetched again.
    const cache = url.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    const handler = async (_request: unknown, reply: import('fastify').FastifyReply) =>
      reply.type(type).header('cache-control', cache).send(body);
    app.get(url, { config: { cipherlayer: 'off' } }, handler);
    if (url === '/index.html') app.get('/', { config: { cipherlayer: 'off' } }, handler);
  }
}

import type { Output } from '../../lib/output.js';
import { columns } from '../../lib/output.js';
import type { Description } from './classify.js';

function ago(seconds: number): string {
  const abs = Math.abs(seconds);
  const text =
    abs < 120 ? `${abs} s` : abs < 7200 ? `${Math.round(abs / 60)} min` : `${Math.round(abs / 3600)} h`;
  return seconds >= 0 ? `${text} ago` : `${text} in the future`;
}

/** The human-readable report of a description. */
export function renderDescription(description: Description, out: Output): void {
  const rows: string[][] = [];
  if (description.format === 'cl1') {
    const d = description;
    out.line(
      `${out.style('bold', `cl1 ${d.type}`)} (type 0x${d.typeByte.toString(16).padStart(2, '0')}, ${d.direction}, ${d.encoding})`,
    );
    rows.push(['sealed with', d.sealedWith]);
    if (d.keyId !== undefined) rows.push(['key id', String(d.keyId)]);
    if (d.suite !== undefined) rows.push(['suite', d.suite.name]);
    if (d.timestamp !== undefined)
      rows.push(['timestamp', `${d.timestamp.iso} (${d.timestamp.ms}, ${ago(d.timestamp.ageSeconds)})`]);
    if (d.requestId !== undefined) rows.push(['request id', d.requestId]);
    if (d.sessionId !== undefined) rows.push(['session id', d.sessionId]);
    if (d.counter !== undefined) rows.push(['counter', String(d.counter)]);
    rows.push(['content type', d.contentType === '' ? '(none)' : d.contentType]);
  } else {
    out.line(`${out.style('bold', description.format)}: ${description.kind} (${description.encoding})`);
    for (const [name, value] of Object.entries(description.header ?? {}))
      rows.push([`header ${name}`, typeof value === 'string' ? value : JSON.stringify(value)]);
  }
  const sizes = description.format === 'cl1' ? description.sizes : description.parts;
  rows.push([
    'sizes',
    `${Object.entries(sizes)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')} (bytes)`,
  ]);
  for (const line of columns(rows.map(([k, v]) => [`  ${k}`, v ?? '']))) out.line(line);
  if (description.format !== 'cl1') for (const note of description.notes) out.line(`  note: ${note}`);
}

/** C0 controls other than tab, newline, vertical tab, form feed and carriage return: a sign of binary. */
function hasControlCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 && (code < 0x09 || code > 0x0d)) return true;
  }
  return false;
}

const TEXTUAL = /^(text\/|application\/([a-z.+-]*\+)?(json|xml|x-www-form-urlencoded))/i;

/** The decrypted body: as text when it is text, else as base64url. */
export function bodyView(contentType: string, body: Uint8Array): { text?: string; base64url: string } {
  const base64url = Buffer.from(body).toString('base64url');
  const decoded = new TextDecoder('utf-8', { fatal: false }).decode(body);
  const isText = TEXTUAL.test(contentType) || (!decoded.includes('\uFFFD') && !hasControlCharacters(decoded));
  return isText ? { text: decoded, base64url } : { base64url };
}

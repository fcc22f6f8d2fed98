/**
 * Parses the RFC 9180 appendix A test vectors from the Markdown source in
 * ../shared/vectors/hpke (the JSON file beside it is empty). Values may wrap
 * onto continuation lines of bare hex.
 */
export interface HpkeVector {
  title: string;
  mode: number;
  kemId: number;
  kdfId: number;
  aeadId: number;
  fields: Record<string, string>;
  encryptions: { sequence: number; pt: string; aad: string; nonce: string; ct: string }[];
  exports: { context: string; length: number; value: string }[];
}

function parseBlock(lines: string[]): Record<string, string>[] {
  const records: Record<string, string>[] = [];
  let current: Record<string, string> = {};
  let lastKey: string | undefined;
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '') {
      if (Object.keys(current).length > 0) records.push(current);
      current = {};
      lastKey = undefined;
      continue;
    }
    const match = /^([A-Za-z_ ]+):\s*(.*)$/.exec(line);
    if (match) {
      lastKey = (match[1] as string).trim();
      current[lastKey] = (match[2] as string).trim();
    } else if (lastKey !== undefined && /^[0-9a-f]+$/.test(line)) {
      current[lastKey] += line;
    }
  }
  if (Object.keys(current).length > 0) records.push(current);
  return records;
}

export function parseRfc9180(markdown: string): HpkeVector[] {
  const vectors: HpkeVector[] = [];
  const lines = markdown.split('\n');
  let title = '';
  let i = 0;
  const fence = (from: number): { body: string[]; next: number } => {
    let start = from;
    while (start < lines.length && !(lines[start] as string).startsWith('~~~')) start++;
    let end = start + 1;
    while (end < lines.length && !(lines[end] as string).startsWith('~~~')) end++;
    return { body: lines.slice(start + 1, end), next: end + 1 };
  };
  while (i < lines.length) {
    const line = lines[i] as string;
    if (line.startsWith('## ')) title = line.slice(3).trim();
    if (line.startsWith('### ') && line.includes('Setup Information')) {
      const setup = fence(i);
      const fields = parseBlock(setup.body)[0] ?? {};
      const vector: HpkeVector = {
        title: `${title} / ${line.slice(4).trim()}`,
        mode: Number(fields.mode),
        kemId: Number(fields.kem_id),
        kdfId: Number(fields.kdf_id),
        aeadId: Number(fields.aead_id),
        fields,
        encryptions: [],
        exports: [],
      };
      i = setup.next;
      while (
        i < lines.length &&
        !(lines[i] as string).startsWith('### ') &&
        !(lines[i] as string).startsWith('## ')
      ) {
        const sub = lines[i] as string;
        if (sub.startsWith('#### Encryptions')) {
          const block = fence(i);
          for (const r of parseBlock(block.body)) {
            vector.encryptions.push({
              sequence: Number(r['sequence number']),
              pt: r.pt ?? '',
              aad: r.aad ?? '',
              nonce: r.nonce ?? '',
              ct: r.ct ?? '',
            });
          }
          i = block.next;
          continue;
        }
        if (sub.startsWith('#### Exported Values')) {
          const block = fence(i);
          for (const r of parseBlock(block.body)) {
            vector.exports.push({
              context: r.exporter_context ?? '',
              length: Number(r.L),
              value: r.exported_value ?? '',
            });
          }
          i = block.next;
          continue;
        }
        i++;
      }
      vectors.push(vector);
      continue;
    }
    i++;
  }
  return vectors;
}

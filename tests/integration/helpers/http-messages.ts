/**
 * HTTP/1.1 messages read back from raw bytes, as any intermediary would
 * read them: start line, headers, and the body framed by Content-Length or
 * chunked Transfer-Encoding (or, for a response, up to the connection's end).
 */
export interface HttpMessage {
  /** Where the message starts in the bytes it was read from. */
  readonly offset: number;
  /** `POST /api/transfer HTTP/1.1` or `HTTP/1.1 201 Created`. */
  readonly startLine: string;
  /** Lower-case names; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export interface HttpRequest extends HttpMessage {
  readonly method: string;
  readonly target: string;
}

export interface HttpResponse extends HttpMessage {
  readonly status: number;
}

function dechunk(bytes: Buffer, from: number): { body: Buffer; end: number } {
  const parts: Buffer[] = [];
  let at = from;
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', at);
    if (lineEnd === -1) throw new Error('truncated chunked body');
    const size = Number.parseInt(bytes.subarray(at, lineEnd).toString('latin1').split(';', 1)[0]!, 16);
    at = lineEnd + 2;
    if (size === 0) {
      // Trailers, if any, end with an empty line.
      const end = bytes.indexOf('\r\n\r\n', at - 2);
      return { body: Buffer.concat(parts), end: end === -1 ? bytes.length : end + 4 };
    }
    parts.push(bytes.subarray(at, at + size));
    at += size + 2;
  }
}

/** Every message in one direction of one connection, in order. */
export function parseMessages(bytes: Buffer): HttpMessage[] {
  const messages: HttpMessage[] = [];
  let at = 0;
  while (at < bytes.length) {
    const offset = at;
    const headEnd = bytes.indexOf('\r\n\r\n', at);
    if (headEnd === -1) throw new Error('truncated HTTP head');
    const [startLine = '', ...lines] = bytes.subarray(at, headEnd).toString('latin1').split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
    }
    const bodyStart = headEnd + 4;
    const isResponse = startLine.startsWith('HTTP/');
    const status = isResponse ? Number(startLine.split(' ')[1]) : 0;
    let body: Buffer;
    if (headers['transfer-encoding']?.toLowerCase().includes('chunked')) {
      const chunked = dechunk(bytes, bodyStart);
      body = chunked.body;
      at = chunked.end;
    } else if (headers['content-length'] !== undefined) {
      body = bytes.subarray(bodyStart, bodyStart + Number(headers['content-length']));
      at = bodyStart + body.length;
    } else if (isResponse && status !== 204 && status !== 304 && !(status >= 100 && status < 200)) {
      body = bytes.subarray(bodyStart);
      at = bytes.length;
    } else {
      body = Buffer.alloc(0);
      at = bodyStart;
    }
    messages.push({ offset, startLine, headers, body });
  }
  return messages;
}

export function asRequest(message: HttpMessage): HttpRequest {
  const [method = '', target = ''] = message.startLine.split(' ');
  return { ...message, method, target };
}

export function asResponse(message: HttpMessage): HttpResponse {
  return { ...message, status: Number(message.startLine.split(' ')[1]) };
}

import { requiredString, stringValue } from '../../lib/args.js';
import { usageError } from '../../lib/cli-error.js';
import type { Command } from '../../lib/command.js';
import { ExitCode } from '../../lib/exit-codes.js';
import { classify } from './classify.js';
import { decryptRequest } from './decrypt.js';
import { readMessage } from './read-message.js';
import { bodyView, renderDescription } from './render.js';

const WARNING =
  'decrypting with a private key, for debugging only: the plaintext below is as sensitive as the request; keep it out of tickets, chats and logs';

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'show what a cl1 message or seed-profile envelope is made of, without a key',
  usage: '[<file> | <message text> | -] [--key <key file> --method <M> --target <T>]',
  description: [
    'Reads a file, the message given as an argument, or stdin ("-", or nothing when piped). Recognises every',
    'cl1 message type in binary, JSON and base64url (the Cipherlayer header), and shows its header fields,',
    "sizes, key id, suite, timestamp, request or session id and counter. The seed profiles' envelopes",
    '(rsa-session {encryptedAesKey, encryptedData, iv, authTag}, static-key {data}, JWE compact) are recognised',
    'and their structure shown.',
    '',
    'With --key, a stateless request (type 0x01) is decrypted with a private key set, for debugging; --method',
    'and --target must be those the request was sent with (they are authenticated). Responses, handshakes and',
    'session messages cannot be decrypted from a key file: their keys exist only in the client and the session',
    'store. Seed-profile envelopes are not decrypted.',
  ].join('\n'),
  options: {
    key: {
      type: 'string',
      value: 'key file',
      description: 'decrypt a stateless request with this cl1 key set (debugging)',
    },
    method: {
      type: 'string',
      value: 'method',
      description: 'with --key: the HTTP method the request was sent with',
    },
    target: { type: 'string', value: 'target', description: 'with --key: the path and query it was sent to' },
  },
  maxPositionals: 1,
  examples: [
    'cipherlayer inspect request.bin',
    'cipherlayer inspect "$(cat message.json)"',
    'curl -s https://api.example/x | cipherlayer inspect - --json',
    'cipherlayer inspect eyJhbGciOiJFQ0RILUVTIiwiZW5jIjoiQTI1NkdDTSJ9..iv.ct.tag',
    'cipherlayer inspect request.bin --key server-keys.json --method POST --target /api/transfer',
  ],
  async run({ positionals, values, out, stdin }) {
    const keyFile = stringValue(values, 'key');
    if (keyFile === undefined && (values.method !== undefined || values.target !== undefined))
      throw usageError('--method and --target are for decrypting with --key');
    const raw = await readMessage(positionals[0], stdin);
    const { description, cl1 } = classify(raw.bytes, Date.now());
    if (keyFile === undefined) {
      if (out.json) out.result({ source: raw.source, ...description });
      else renderDescription(description, out);
      return ExitCode.Ok;
    }
    if (cl1 === undefined)
      throw usageError(
        `--key decrypts cl1 stateless requests; this is a ${description.format} envelope, shown without --key`,
      );
    const hint =
      'the binding is authenticated: give them exactly as sent, e.g. --method POST --target /api/transfer';
    const method = requiredString(values, 'method', hint);
    const target = requiredString(values, 'target', hint);
    out.warn(WARNING);
    const opened = await decryptRequest(cl1, keyFile, { method, target });
    const body = bodyView(opened.contentType, opened.body);
    if (out.json) {
      out.result({
        source: raw.source,
        ...description,
        plaintext: { contentType: opened.contentType, bytes: opened.body.length, ...body },
      });
      return ExitCode.Ok;
    }
    renderDescription(description, out);
    out.line(
      `  ${out.style('yellow', 'plaintext')} (${opened.contentType || 'no content type'}, ${opened.body.length} bytes, key ${opened.keyId}):`,
    );
    out.line(body.text ?? `base64url: ${body.base64url}`);
    return ExitCode.Ok;
  },
};

import { requiredString, stringValue } from '../../lib/args.js';
import { usageError } from '../../lib/cli-error.js';
import type { Command, CommandContext } from '../../lib/command.js';
import { ExitCode } from '../../lib/exit-codes.js';
import { type Classified, classify } from './classify.js';
import { decryptRequest } from './decrypt.js';
import { chooseKey, openSeedEnvelope } from './open-seed-envelope.js';
import { type RawMessage, readMessage } from './read-message.js';
import { bodyView, renderDescription } from './render.js';
import { WITHOUT_KEY } from './seed-envelopes.js';

const WARNING =
  'decrypting with a private key, for debugging only: the plaintext below is as sensitive as the request; keep it out of tickets, chats and logs';

interface Plaintext {
  readonly contentType: string;
  readonly body: Uint8Array;
  /** What opened it, in one phrase for the human report. */
  readonly summary: string;
  /** Extra members of the JSON report. */
  readonly extra: Readonly<Record<string, unknown>>;
}

function report(context: CommandContext, raw: RawMessage, classified: Classified, opened: Plaintext): number {
  const { out } = context;
  const body = bodyView(opened.contentType, opened.body);
  if (out.json) {
    out.result({
      source: raw.source,
      ...classified.description,
      ...opened.extra,
      plaintext: { contentType: opened.contentType, bytes: opened.body.length, ...body },
    });
    return ExitCode.Ok;
  }
  renderDescription(classified.description, out);
  out.line(
    `  ${out.style('yellow', 'plaintext')} (${opened.contentType || 'no content type'}, ${opened.body.length} bytes, ${opened.summary}):`,
  );
  out.line(body.text ?? `base64url: ${body.base64url}`);
  return ExitCode.Ok;
}

async function openCl1(context: CommandContext, cl1: Uint8Array, keyFile: string): Promise<Plaintext> {
  const hint =
    'the binding is authenticated: give them exactly as sent, e.g. --method POST --target /api/transfer';
  const method = requiredString(context.values, 'method', hint);
  const target = requiredString(context.values, 'target', hint);
  context.out.warn(WARNING);
  const opened = await decryptRequest(cl1, keyFile, { method, target });
  return { contentType: opened.contentType, body: opened.body, summary: `key ${opened.keyId}`, extra: {} };
}

export const inspectCommand: Command = {
  name: 'inspect',
  summary:
    'show what a cl1 message or seed-profile envelope is made of; decrypt it with a key, for debugging',
  usage:
    '[<file> | <message text> | -] [--key <key file> [--method <M> --target <T>] | --aes-key <key file>]',
  description: [
    'Reads a file, the message given as an argument, or stdin ("-", or nothing when piped). Recognises every',
    'cl1 message type in binary, JSON and base64url (the Cipherlayer header), and shows its header fields,',
    "sizes, key id, suite, timestamp, request or session id and counter. The seed profiles' envelopes",
    '(rsa-session {encryptedAesKey, encryptedData, iv, authTag} and its response, static-key {data}, JWE',
    'compact) are recognised and their structure shown.',
    '',
    'With a key it decrypts, for debugging, with a warning on stderr:',
    '  cl1 stateless request (type 0x01)  --key <cl1 key set> --method <M> --target <T> (they are authenticated)',
    "  rsa-session request                --key <the session's RSA private key, PEM or JWK>",
    '  rsa-session response               --aes-key <the AES-256 key of the request it answers>',
    "  static-key {data}                  --key <the AES-256 key: 64 hex digits (seed 002's AES_KEY), base64, raw>",
    '  JWE compact                        --key <the private key it is sealed to, PEM or JWK: EC, X25519, RSA>',
    'A wrong key fails with "cannot decrypt with this key" (exit 1), whatever failed inside; a key of the wrong',
    'kind is exit 3. cl1 responses, handshakes and session messages cannot be decrypted from a key file: their',
    'keys exist only in the client and the session store. rsa-session strict-mode messages (method, target and',
    'status authenticated) are not opened here yet.',
  ].join('\n'),
  options: {
    key: {
      type: 'string',
      value: 'key file',
      description:
        'decrypt with this key file: a cl1 key set, or the private or AES key of a seed envelope (0600)',
    },
    'aes-key': {
      type: 'string',
      value: 'key file',
      description: 'decrypt an rsa-session response with the AES-256 key of its request (0600)',
    },
    method: {
      type: 'string',
      value: 'method',
      description: 'cl1 with --key: the HTTP method the request was sent with',
    },
    target: {
      type: 'string',
      value: 'target',
      description: 'cl1 with --key: the path and query it was sent to',
    },
  },
  maxPositionals: 1,
  examples: [
    'cipherlayer inspect request.bin',
    'cipherlayer inspect "$(cat message.json)"',
    'curl -s https://api.example/x | cipherlayer inspect - --json',
    'cipherlayer inspect eyJhbGciOiJFQ0RILUVTIiwiZW5jIjoiQTI1NkdDTSJ9..iv.ct.tag',
    'cipherlayer inspect request.bin --key server-keys.json --method POST --target /api/transfer',
    'cipherlayer inspect body.json --key session-private.pem          # rsa-session request',
    'cipherlayer inspect answer.json --aes-key request-aes.key        # rsa-session response',
    'cipherlayer inspect \'{"data":"..."}\' --key aes-key.hex            # static-key (seed 002)',
    'cipherlayer inspect "$JWE" --key jwe-private.pem --json          # JWE (seed 004)',
  ],
  async run(context) {
    const { positionals, values, out, stdin } = context;
    const keyFile = stringValue(values, 'key');
    const aesKeyFile = stringValue(values, 'aes-key');
    if (keyFile !== undefined && aesKeyFile !== undefined)
      throw usageError('give --key or --aes-key, not both');
    const binding = values.method !== undefined || values.target !== undefined;
    if (keyFile === undefined && binding)
      throw usageError('--method and --target are for decrypting a cl1 request with --key');
    const raw = await readMessage(positionals[0], stdin);
    const classified = classify(raw.bytes, Date.now());
    const { description, cl1, envelope } = classified;
    if (keyFile === undefined && aesKeyFile === undefined) {
      if (out.json) out.result({ source: raw.source, ...description });
      else renderDescription(description, out);
      return ExitCode.Ok;
    }
    if (cl1 !== undefined) {
      if (keyFile === undefined)
        throw usageError(
          '--aes-key opens rsa-session responses; a cl1 stateless request opens with --key <key set>',
        );
      return report(context, raw, classified, await openCl1(context, cl1, keyFile));
    }
    if (envelope === undefined)
      throw usageError(`nothing to decrypt: a ${description.format} is signed, not encrypted`);
    if (binding)
      throw usageError(
        `--method and --target are for cl1 requests; a ${description.format} envelope does not take them`,
      );
    const choice = chooseKey(envelope, { key: keyFile, aesKey: aesKeyFile });
    out.warn(WARNING);
    const opened = await openSeedEnvelope(envelope, choice);
    const shown =
      description.format === 'cl1'
        ? description
        : { ...description, notes: description.notes.filter((n) => n !== WITHOUT_KEY) };
    return report(
      context,
      raw,
      { ...classified, description: shown },
      {
        contentType: opened.contentType,
        body: opened.plaintext,
        summary: Object.values(opened.openedWith).join(', '),
        extra: { openedWith: opened.openedWith },
      },
    );
  },
};

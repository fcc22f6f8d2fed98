import { choiceValue, stringList, stringValue } from '../../lib/args.js';
import { usageError } from '../../lib/cli-error.js';
import type { CommandContext, OptionSpec } from '../../lib/command.js';

/** The keyrings of @cipherlayer/records, by the name `--keyring` takes. */
export const SINGLE_KEYRINGS = ['local', 'pkcs11', 'aws-kms', 'vault'] as const;
export type SingleKeyringKind = (typeof SINGLE_KEYRINGS)[number];
export const KEYRINGS = [...SINGLE_KEYRINGS, 'multi'] as const;

/**
 * The keyring options. No option takes a secret: the PKCS#11 PIN, the Vault
 * token and the local master keys come from environment variables or 0600
 * files, AWS credentials from the SDK's default chain, so that none ends up
 * in shell history or `ps`.
 */
export const KEYRING_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  keyring: {
    type: 'string',
    value: 'kind',
    description: 'where the KEKs are: local, pkcs11, aws-kms, vault, or multi (several)',
  },
  'wrap-with': {
    type: 'string',
    multiple: true,
    value: 'kind',
    description: 'multi: a keyring every data key is wrapped under (repeat for several)',
  },
  'decrypt-only': {
    type: 'string',
    multiple: true,
    value: 'kind',
    description: 'multi: a keyring that only unwraps (the one being moved away from)',
  },
  'master-keys-env': {
    type: 'string',
    value: 'name',
    description:
      'local: the variable holding "id:base64url" entries, current first (default CIPHERLAYER_MASTER_KEYS)',
  },
  'master-keys-file': {
    type: 'string',
    value: 'file',
    description: 'local: a file of entries instead (0600)',
  },
  'pkcs11-module': {
    type: 'string',
    value: 'path',
    description: 'pkcs11: the PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so',
  },
  'pkcs11-token-label': { type: 'string', value: 'label', description: 'pkcs11: the label of the token' },
  'pkcs11-key-label': {
    type: 'string',
    value: 'label',
    description: "pkcs11: the KEK's CKA_LABEL (versions are CKA_ID v1, v2, ...)",
  },
  'pkcs11-pin-env': {
    type: 'string',
    value: 'name',
    description: 'pkcs11: the variable holding the user PIN (default CIPHERLAYER_PKCS11_PIN)',
  },
  'pkcs11-pin-file': { type: 'string', value: 'file', description: 'pkcs11: a file holding the PIN (0600)' },
  'pkcs11-mechanism': {
    type: 'string',
    value: 'name',
    description: 'pkcs11: auto (default), aes-gcm or aes-key-wrap-pad',
  },
  'pkcs11-create-key': {
    type: 'boolean',
    description:
      'pkcs11: create KEK version 1 when no key has the label (default: refuse, a typo is an error)',
  },
  'kms-key-id': {
    type: 'string',
    value: 'id',
    description: 'aws-kms: the KMS key new wraps use: key id, key ARN, alias/name or alias ARN',
  },
  region: {
    type: 'string',
    value: 'region',
    description: "aws-kms: the AWS region (default: the ARN's, else AWS_REGION)",
  },
  'kms-endpoint': {
    type: 'string',
    value: 'url',
    description: 'aws-kms: a VPC or FIPS endpoint (https; http only on loopback)',
  },
  'vault-addr': {
    type: 'string',
    value: 'url',
    description: "vault: Vault's address (default VAULT_ADDR; https, http only on loopback)",
  },
  'vault-key': { type: 'string', value: 'name', description: 'vault: the transit key name' },
  'vault-token-env': {
    type: 'string',
    value: 'name',
    description: 'vault: the variable holding the token (default VAULT_TOKEN)',
  },
  'vault-token-file': {
    type: 'string',
    value: 'file',
    description: 'vault: a file holding the token (0600)',
  },
  'vault-mount': {
    type: 'string',
    value: 'path',
    description: 'vault: where the transit engine is mounted (default transit)',
  },
  'vault-namespace': {
    type: 'string',
    value: 'path',
    description: 'vault: Enterprise namespace (default VAULT_NAMESPACE)',
  },
  'vault-context-binding': {
    type: 'string',
    value: 'mode',
    description: 'vault: derived (default) or associated-data',
  },
  'vault-ca-file': {
    type: 'string',
    value: 'file',
    description: "vault: PEM of the CA that signed Vault's certificate",
  },
};

/** Which options belong to which keyring: an option for a keyring not in use is an error, not ignored. */
const OWNER: Readonly<Record<string, SingleKeyringKind>> = Object.fromEntries(
  Object.keys(KEYRING_OPTIONS).flatMap((name) => {
    const kind = /^(?:master-keys-)/.test(name)
      ? 'local'
      : /^pkcs11-/.test(name)
        ? 'pkcs11'
        : /^kms-|^region$/.test(name)
          ? 'aws-kms'
          : /^vault-/.test(name)
            ? 'vault'
            : undefined;
    return kind === undefined ? [] : [[name, kind]];
  }),
);

const REQUIRED: Readonly<Record<SingleKeyringKind, readonly string[]>> = {
  local: [],
  pkcs11: ['pkcs11-module', 'pkcs11-token-label', 'pkcs11-key-label'],
  'aws-kms': ['kms-key-id'],
  vault: ['vault-key'],
};

const EITHER: readonly (readonly [string, string])[] = [
  ['master-keys-env', 'master-keys-file'],
  ['pkcs11-pin-env', 'pkcs11-pin-file'],
  ['vault-token-env', 'vault-token-file'],
];

export interface KeyringPlan {
  /** The single keyring, or the multi-keyring's parts. */
  readonly kind: SingleKeyringKind | 'multi';
  readonly wrapWith: readonly SingleKeyringKind[];
  readonly decryptOnly: readonly SingleKeyringKind[];
}

function kinds(values: CommandContext['values'], name: string): SingleKeyringKind[] {
  return stringList(values, name).map((text) => {
    const kind = SINGLE_KEYRINGS.find((k) => k === text.toLowerCase());
    if (kind === undefined)
      throw usageError(`--${name} must be one of ${SINGLE_KEYRINGS.join(', ')}, not "${text}"`);
    return kind;
  });
}

/** The usage checks of the keyring options, before anything is read or opened. */
export function planKeyring(context: CommandContext): KeyringPlan {
  const { values } = context;
  if (stringValue(values, 'keyring') === undefined)
    throw usageError(
      '--keyring is required: local (CIPHERLAYER_MASTER_KEYS), pkcs11, aws-kms, vault or multi; see --help',
    );
  const kind = choiceValue(values, 'keyring', KEYRINGS, 'local');
  const wrapWith = kinds(values, 'wrap-with');
  const decryptOnly = kinds(values, 'decrypt-only');
  if (kind !== 'multi' && wrapWith.length + decryptOnly.length > 0)
    throw usageError('--wrap-with and --decrypt-only go with --keyring multi');
  if (kind === 'multi' && wrapWith.length === 0)
    throw usageError(
      '--keyring multi needs at least one --wrap-with <kind> (and --decrypt-only <kind> for a keyring being left)',
    );
  const used = kind === 'multi' ? [...wrapWith, ...decryptOnly] : [kind];
  const twice = used.find((k, i) => used.indexOf(k) !== i);
  if (twice !== undefined)
    throw usageError(`the ${twice} keyring is listed twice: each kind has one set of options`);
  for (const [name, owner] of Object.entries(OWNER))
    if (values[name] !== undefined && !used.includes(owner))
      throw usageError(`--${name} is for the ${owner} keyring, which is not in use (${used.join(', ')})`);
  for (const owner of used)
    for (const name of REQUIRED[owner])
      if (stringValue(values, name) === undefined)
        throw usageError(`--${name} is required with the ${owner} keyring; see --help for an example`);
  for (const [a, b] of EITHER)
    if (values[a] !== undefined && values[b] !== undefined)
      throw usageError(`give --${a} or --${b}, not both`);
  if (used.includes('vault') && stringValue(values, 'vault-addr') === undefined && !context.env.VAULT_ADDR)
    throw usageError("the vault keyring needs Vault's address: --vault-addr <url> or VAULT_ADDR");
  choiceValue(values, 'pkcs11-mechanism', ['auto', 'aes-gcm', 'aes-key-wrap-pad'], 'auto');
  choiceValue(values, 'vault-context-binding', ['derived', 'associated-data'], 'derived');
  return { kind, wrapWith, decryptOnly };
}

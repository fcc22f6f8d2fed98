import { stat } from 'node:fs/promises';
import { isCipherlayerError } from '@cipherlayer/core';
import {
  AwsKmsKeyring,
  type Keyring,
  LocalKeyring,
  MultiKeyring,
  Pkcs11Keyring,
  type Pkcs11Mechanism,
  type VaultContextBinding,
  VaultTransitKeyring,
} from '@cipherlayer/records';
import { stringValue } from '../../lib/args.js';
import { CliError, inputError } from '../../lib/cli-error.js';
import type { CommandContext } from '../../lib/command.js';
import { ExitCode } from '../../lib/exit-codes.js';
import { readInput, readPrivateInput } from '../../lib/files.js';
import type { KeyringPlan, SingleKeyringKind } from './keyring-options.js';

/** The library checks a keyring's options when it is made: a refusal there is a usage error of the command line. */
function construct<T>(kind: string, make: () => T): T {
  try {
    return make();
  } catch (error) {
    if (!isCipherlayerError(error, 'ERR_CONFIG')) throw error;
    throw new CliError(ExitCode.Usage, 'ERR_CONFIG', `the ${kind} keyring options: ${error.message}`, error);
  }
}

/**
 * A secret from a 0600 file (one line; the final newline is not part of it)
 * or from an environment variable: never from the command line.
 */
async function secret(
  context: CommandContext,
  options: { file: string; env: string; defaultEnv: string; what: string },
): Promise<string> {
  const file = stringValue(context.values, options.file);
  if (file !== undefined) {
    const text = (await readPrivateInput(file, options.what)).toString('utf8').replace(/\r?\n$/, '');
    if (text.length === 0) throw inputError(`${options.what} ${file} is empty`);
    return text;
  }
  const name = stringValue(context.values, options.env) ?? options.defaultEnv;
  const value = context.env[name];
  if (value === undefined || value === '')
    throw inputError(`${name} is not set: it holds the ${options.what} (or give --${options.file} <file>)`);
  return value;
}

async function openLocal(context: CommandContext): Promise<Keyring> {
  const file = stringValue(context.values, 'master-keys-file');
  if (file !== undefined) {
    await readPrivateInput(file, 'master key file');
    return LocalKeyring.fromFile(file);
  }
  const name = stringValue(context.values, 'master-keys-env') ?? 'CIPHERLAYER_MASTER_KEYS';
  if (context.env[name] === undefined || context.env[name] === '')
    throw inputError(`${name} is not set: it holds the local master keys ("id:base64url", current first)`);
  return LocalKeyring.fromEnvironment(name);
}

async function openPkcs11(context: CommandContext): Promise<Keyring> {
  const { values } = context;
  const library = stringValue(values, 'pkcs11-module') as string;
  const isFile = await stat(library).then(
    (s) => s.isFile(),
    () => false,
  );
  if (!isFile) throw inputError(`no PKCS#11 module at ${library} (the token's .so library)`);
  const pin = await secret(context, {
    file: 'pkcs11-pin-file',
    env: 'pkcs11-pin-env',
    defaultEnv: 'CIPHERLAYER_PKCS11_PIN',
    what: 'PKCS#11 user PIN',
  });
  return Pkcs11Keyring.open({
    library,
    tokenLabel: stringValue(values, 'pkcs11-token-label') as string,
    keyLabel: stringValue(values, 'pkcs11-key-label') as string,
    pin,
    createKey: values['pkcs11-create-key'] === true,
    mechanism: (stringValue(values, 'pkcs11-mechanism')?.toLowerCase() ?? 'auto') as Pkcs11Mechanism,
  });
}

function openAwsKms(context: CommandContext): Keyring {
  const { values, env } = context;
  const region = stringValue(values, 'region') ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const endpoint = stringValue(values, 'kms-endpoint');
  // Credentials: the SDK's default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, SSO, instance role).
  return construct(
    'aws-kms',
    () =>
      new AwsKmsKeyring({
        keyId: stringValue(values, 'kms-key-id') as string,
        ...(region === undefined || region === '' ? {} : { region }),
        ...(endpoint === undefined ? {} : { endpoint }),
      }),
  );
}

async function openVault(context: CommandContext): Promise<Keyring> {
  const { values, env } = context;
  const token = await secret(context, {
    file: 'vault-token-file',
    env: 'vault-token-env',
    defaultEnv: 'VAULT_TOKEN',
    what: 'Vault token',
  });
  const caFile = stringValue(values, 'vault-ca-file');
  const ca = caFile === undefined ? undefined : await readInput(caFile, 'Vault CA file');
  const mount = stringValue(values, 'vault-mount');
  const namespace = stringValue(values, 'vault-namespace') ?? env.VAULT_NAMESPACE;
  const binding = stringValue(values, 'vault-context-binding')?.toLowerCase() as
    | VaultContextBinding
    | undefined;
  return construct(
    'vault',
    () =>
      new VaultTransitKeyring({
        address: stringValue(values, 'vault-addr') ?? (env.VAULT_ADDR as string),
        token,
        keyName: stringValue(values, 'vault-key') as string,
        ...(mount === undefined ? {} : { mount }),
        ...(namespace === undefined || namespace === '' ? {} : { namespace }),
        ...(binding === undefined ? {} : { contextBinding: binding }),
        ...(ca === undefined ? {} : { tls: { ca } }),
      }),
  );
}

async function openSingle(context: CommandContext, kind: SingleKeyringKind): Promise<Keyring> {
  switch (kind) {
    case 'local':
      return await openLocal(context);
    case 'pkcs11':
      return await openPkcs11(context);
    case 'aws-kms':
      return openAwsKms(context);
    case 'vault':
      return await openVault(context);
  }
}

/** Opens the keyring the plan names; on a failure, whatever was opened is closed. */
export async function openKeyring(context: CommandContext, plan: KeyringPlan): Promise<Keyring> {
  if (plan.kind !== 'multi') return openSingle(context, plan.kind);
  const opened: Keyring[] = [];
  try {
    for (const kind of [...plan.wrapWith, ...plan.decryptOnly]) opened.push(await openSingle(context, kind));
    return new MultiKeyring({
      keyrings: opened.slice(0, plan.wrapWith.length),
      decryptOnly: opened.slice(plan.wrapWith.length),
    });
  } catch (error) {
    await Promise.all(opened.map((k) => k.close?.().catch(() => undefined)));
    throw error;
  }
}

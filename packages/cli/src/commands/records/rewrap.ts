import { Pkcs11Keyring } from '@cipherlayer/records';
import { usageError } from '../../lib/cli-error.js';
import type { Command } from '../../lib/command.js';
import { ExitCode } from '../../lib/exit-codes.js';
import { CONNECTION_OPTIONS, checkConnectionArgs } from './open-records.js';
import { progressFor, QUIET_OPTION, withRecords } from './session.js';

export const recordsRewrapCommand: Command = {
  name: 'records rewrap',
  summary: 'KEK rotation: re-wrap every data and index key under the current KEK (no field is touched)',
  usage: '--keyring <kind> [keyring options] [--pglite <dir> | --database-url <url>] [options]',
  description: [
    'Make the new KEK current, then run this: each key not wrapped under the current KEK is re-wrapped; fields',
    'are not read or written. Safe to interrupt and run again: keys already current are skipped. Remove the old',
    'KEK only once this reports no failure. The new KEK, per keyring:',
    '  local    put the new master key first: CIPHERLAYER_MASTER_KEYS="k2:…,k1:…"',
    '  pkcs11   --new-kek generates the next KEK version in the token; older versions still unwrap',
    '  aws-kms  point --kms-key-id (or its alias) at the new key; KMS ReEncrypt moves each key',
    '  vault    vault write -f transit/keys/<name>/rotate; Vault rewraps each key to the latest version',
    '  multi    moving to another keyring: --keyring multi --wrap-with <new> --decrypt-only <old>; keep',
    "           --keyring multi --wrap-with <new> afterwards (the keys are then the multi-keyring's)",
    'Secrets come from the environment or 0600 files only: CIPHERLAYER_MASTER_KEYS, CIPHERLAYER_PKCS11_PIN',
    '(--pkcs11-pin-env/-file), VAULT_TOKEN (--vault-token-env/-file); AWS credentials from the SDK chain.',
  ].join('\n'),
  options: {
    ...CONNECTION_OPTIONS,
    'new-kek': {
      type: 'boolean',
      description: 'pkcs11: generate the next KEK version in the token first (each run makes one)',
    },
    ...QUIET_OPTION,
  },
  examples: [
    'CIPHERLAYER_MASTER_KEYS="k2:…,k1:…" cipherlayer records rewrap --pglite ./data --keyring local',
    'cipherlayer records rewrap --database-url "$DATABASE_URL" --keyring local --master-keys-file kek.txt --json',
    'cipherlayer records rewrap --database-url "$DATABASE_URL" --keyring pkcs11 --pkcs11-module /usr/lib/softhsm/libsofthsm2.so --pkcs11-token-label records --pkcs11-key-label records-kek   # PIN in CIPHERLAYER_PKCS11_PIN',
    'cipherlayer records rewrap --database-url "$DATABASE_URL" --keyring pkcs11 --pkcs11-module /usr/lib/softhsm/libsofthsm2.so --pkcs11-token-label records --pkcs11-key-label records-kek --pkcs11-pin-file /run/secrets/hsm-pin --new-kek',
    'cipherlayer records rewrap --database-url "$DATABASE_URL" --keyring aws-kms --kms-key-id alias/records --region eu-west-1',
    'cipherlayer records rewrap --database-url "$DATABASE_URL" --keyring vault --vault-addr https://vault.internal:8200 --vault-key records   # token in VAULT_TOKEN',
    'cipherlayer records rewrap --database-url "$DATABASE_URL" --keyring multi --wrap-with aws-kms --kms-key-id alias/records --decrypt-only local   # local to KMS',
  ],
  async run(context) {
    const newKek = context.values['new-kek'] === true;
    if (newKek && checkConnectionArgs(context).kind !== 'pkcs11')
      throw usageError(
        '--new-kek generates a KEK version in a PKCS#11 token (--keyring pkcs11); for the other keyrings, make the new KEK current as --help says',
      );
    return withRecords(context, async (records, keyring) => {
      const created = newKek && keyring instanceof Pkcs11Keyring ? await keyring.rotate() : undefined;
      if (created !== undefined) context.out.note(`new KEK version ${created} generated in the token`);
      const current = await keyring.currentKekId();
      const total = (await records.listKeys()).filter(
        (k) => k.wrapped.keyringId !== keyring.id || k.wrapped.kekId !== current,
      ).length;
      const progress = progressFor(context);
      progress?.update({ phase: 'rewrap', done: 0, total, unit: 'keys' });
      const result = await records.rotateKek({
        onProgress: (p) =>
          progress?.update({ phase: 'rewrap', done: p.rewrapped + p.failed, total, unit: 'keys' }),
      });
      progress?.finish();
      const exitCode = result.failed.length === 0 ? ExitCode.Ok : ExitCode.Failure;
      const { out } = context;
      if (out.json)
        out.result({
          kekId: current,
          keyringId: keyring.id,
          ...(created === undefined ? {} : { newKek: created }),
          ...result,
          exitCode,
        });
      else {
        out.line(
          `rewrap under KEK ${current} (${keyring.id}): ${result.rewrapped} keys re-wrapped, ${result.failed.length} failed`,
        );
        for (const f of result.failed) out.line(`  key ${f.keyId}: ${f.code}`);
        out.line(
          result.failed.length === 0
            ? '  every key is under the current KEK: the old KEK can be removed from the keyring'
            : '  fix the failures (is the old KEK still in the keyring?) and run again; keep the old KEK meanwhile',
        );
      }
      return exitCode;
    });
  },
};

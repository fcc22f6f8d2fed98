import { CipherlayerError } from '@cipherlayer/core';

export interface AwsKmsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

export interface AwsKmsKeyringOptions {
  /**
   * The KMS key new wraps use: a key id, key ARN, alias name (`alias/…`) or
   * alias ARN. Unwrap always uses the key ARN stored in the wrapped key.
   */
  readonly keyId: string;
  /** Default: the region in `keyId` when it is an ARN, else AWS_REGION or AWS_DEFAULT_REGION. */
  readonly region?: string;
  /** A VPC or FIPS endpoint (or a local simulator). https is required except on loopback addresses. */
  readonly endpoint?: string;
  /** Static or provided credentials. Default: the SDK's default chain (environment, profile, IMDS, …). */
  readonly credentials?: AwsKmsCredentials | (() => Promise<AwsKmsCredentials>);
  /** Time allowed for one attempt, response included (default 5000 ms). */
  readonly timeoutMs?: number;
  /** Time allowed to open the connection (default 2000 ms). */
  readonly connectTimeoutMs?: number;
  /** Attempts per operation, first one included, with the SDK's backoff (default 3). */
  readonly maxAttempts?: number;
  /** How long the key ARN behind an alias is trusted for `currentKekId` (default 60 000 ms). */
  readonly kekIdCacheMs?: number;
}

export interface ResolvedAwsKmsOptions {
  readonly keyId: string;
  /** Set when `keyId` already is a key ARN: then it is the kekId, with no lookup. */
  readonly keyArn: string | undefined;
  readonly region: string;
  readonly endpoint: string | undefined;
  readonly credentials: AwsKmsKeyringOptions['credentials'];
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly maxAttempts: number;
  readonly kekIdCacheMs: number;
}

/** arn:<partition>:kms:<region>:<account>:key/<id> — the form KMS returns as KeyId, and this keyring's kekId. */
export const keyArnPattern = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:key\/[A-Za-z0-9-]+$/;
const aliasArnPattern = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:alias\/[A-Za-z0-9/_-]+$/;
const bareKeyIdPattern = /^(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const aliasNamePattern = /^alias\/[A-Za-z0-9/_-]+$/;
const regionPattern = /^[a-z]{2}(-[a-z]+)+-\d+$/;

const known = new Set([
  'keyId',
  'region',
  'endpoint',
  'credentials',
  'timeoutMs',
  'connectTimeoutMs',
  'maxAttempts',
  'kekIdCacheMs',
]);

function fail(detail: string): never {
  throw new CipherlayerError('ERR_CONFIG', { detail: `AwsKmsKeyring: ${detail}` });
}

function milliseconds(value: unknown, name: string, fallback: number, min: number): number {
  const resolved = value ?? fallback;
  if (typeof resolved !== 'number' || !Number.isFinite(resolved) || resolved < min) {
    fail(`${name} must be a number of milliseconds, ${min} or more`);
  }
  return resolved;
}

/** Checks every option once, at construction; messages say what to change and never echo credentials. */
export function resolveAwsKmsOptions(
  options: AwsKmsKeyringOptions,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedAwsKmsOptions {
  if (typeof options !== 'object' || options === null) fail('pass an options object');
  for (const key of Object.keys(options)) {
    if (!known.has(key)) fail(`unknown option "${key}"; known options are ${[...known].join(', ')}`);
  }
  const { keyId } = options;
  if (typeof keyId !== 'string') fail('set keyId to a KMS key id, key ARN, alias name or alias ARN');
  const arnRegion = keyArnPattern.exec(keyId)?.[1] ?? aliasArnPattern.exec(keyId)?.[1];
  if (arnRegion === undefined && !bareKeyIdPattern.test(keyId) && !aliasNamePattern.test(keyId)) {
    fail(`keyId ${JSON.stringify(keyId)} is not a KMS key id, key ARN, alias name ("alias/…") or alias ARN`);
  }
  const region = options.region ?? arnRegion ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (typeof region !== 'string' || !regionPattern.test(region)) {
    fail('set region (or AWS_REGION) to an AWS region such as "eu-west-1"');
  }
  if (arnRegion !== undefined && arnRegion !== region) {
    fail(`keyId is in region ${arnRegion} but region is ${region}; make them agree`);
  }
  const endpoint = options.endpoint;
  if (endpoint !== undefined) checkEndpoint(endpoint);
  const credentials = options.credentials;
  if (credentials !== undefined && typeof credentials !== 'function') {
    if (
      typeof credentials !== 'object' ||
      typeof credentials.accessKeyId !== 'string' ||
      credentials.accessKeyId === '' ||
      typeof credentials.secretAccessKey !== 'string' ||
      credentials.secretAccessKey === ''
    ) {
      fail('credentials needs accessKeyId and secretAccessKey (or pass a function that returns them)');
    }
  }
  const maxAttempts = options.maxAttempts ?? 3;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 10) {
    fail('maxAttempts must be an integer from 1 to 10');
  }
  return {
    keyId,
    keyArn: keyArnPattern.test(keyId) ? keyId : undefined,
    region,
    endpoint,
    credentials,
    timeoutMs: milliseconds(options.timeoutMs, 'timeoutMs', 5_000, 1),
    connectTimeoutMs: milliseconds(options.connectTimeoutMs, 'connectTimeoutMs', 2_000, 1),
    maxAttempts,
    kekIdCacheMs: milliseconds(options.kekIdCacheMs, 'kekIdCacheMs', 60_000, 0),
  };
}

function checkEndpoint(endpoint: unknown): void {
  let url: URL;
  try {
    url = new URL(String(endpoint));
  } catch {
    fail('endpoint must be an absolute URL such as "https://kms.eu-west-1.amazonaws.com"');
  }
  // Encrypt requests carry the data key: plain http only where it cannot leave the machine.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    fail('endpoint must use https:// (plain http is allowed only on loopback addresses)');
  }
}

export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

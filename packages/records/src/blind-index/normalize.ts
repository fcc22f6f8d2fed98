import { configError } from '../lib/options.js';

/**
 * Normalisation before a value is hashed into a blind index, so that equal
 * values in the application's sense get equal indexes: "Alice@Example.com "
 * and "alice@example.com". Steps run in the order given. They apply to
 * strings; other types are indexed as stored.
 */
export type NormalizationStep =
  | 'trim'
  | 'lowercase'
  | 'uppercase'
  | 'nfc'
  | 'nfkc'
  | 'collapse-whitespace'
  | 'remove-whitespace'
  | 'digits-only';

const steps: Record<NormalizationStep, (value: string) => string> = {
  trim: (v) => v.trim(),
  // Unicode default case mapping (String.prototype.toLowerCase), not locale-specific.
  lowercase: (v) => v.toLowerCase(),
  uppercase: (v) => v.toUpperCase(),
  nfc: (v) => v.normalize('NFC'),
  nfkc: (v) => v.normalize('NFKC'),
  'collapse-whitespace': (v) => v.replace(/\s+/gu, ' '),
  'remove-whitespace': (v) => v.replace(/\s+/gu, ''),
  // Phone numbers and the like: "+1 (555) 010-9999" and "15550109999" meet.
  'digits-only': (v) => v.replace(/\D+/gu, ''),
};

export const NORMALIZATION_STEPS = Object.keys(steps) as NormalizationStep[];

export type Normalization = readonly NormalizationStep[] | ((value: string) => string);

/** Checks the steps once and returns the function that applies them. */
export function normalizer(
  where: string,
  normalization: Normalization | undefined,
): (value: string) => string {
  if (normalization === undefined) return (v) => v;
  if (typeof normalization === 'function') {
    return (v) => {
      const out = normalization(v);
      if (typeof out !== 'string')
        throw new TypeError(`${where}: the normalize function must return a string`);
      return out;
    };
  }
  if (!Array.isArray(normalization))
    throw configError(
      `${where}.normalize must be a list of steps (${NORMALIZATION_STEPS.join(', ')}) or a function`,
    );
  const chosen = normalization.map((step) => {
    const fn = steps[step as NormalizationStep];
    if (typeof step !== 'string' || fn === undefined)
      throw configError(
        `${where}.normalize: unknown step "${String(step)}"; the steps are ${NORMALIZATION_STEPS.join(', ')}`,
      );
    return fn;
  });
  return (v) => {
    let out = v;
    for (const fn of chosen) out = fn(out);
    return out;
  };
}

import { browser } from './browser/index.js';
import { memory } from './memory/index.js';
import type { Section } from './section.js';

/** The sections after the HTTP suites, in report order (`--only memory`, `--only browser`). */
export const sections: readonly Section[] = [memory, browser];

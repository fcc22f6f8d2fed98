import type { ChartGroup } from './chart/ratio-chart.js';
import type { Mode } from './group.js';

/**
 * A part of the bench that is neither a micro group (CPU per operation in
 * batches) nor an HTTP suite: memory figures, the browser client. It runs
 * once, renders its own Markdown, and may add rows to the ratio chart.
 */

export interface SectionResult {
  readonly name: string;
  /** Its part of the report, a `## Title (\`name\`)` heading first. */
  readonly markdown: string;
  /** Rows for the ratio chart (bench/results/latest.svg), if any. */
  readonly chart?: readonly ChartGroup[];
  /** Lines for the end of the report: what could not be measured. */
  readonly failures: readonly string[];
  /** The raw figures, for latest.json. */
  readonly figures: unknown;
}

export interface Section {
  /** The id used by `--only`. */
  readonly name: string;
  readonly title: string;
  readonly run: (mode: Mode, progress: (message: string) => void) => Promise<SectionResult>;
}

/** What a section that could not run reports. */
export function sectionFailed(section: Section, error: unknown): SectionResult {
  const message = error instanceof Error ? error.message : String(error);
  return {
    name: section.name,
    markdown: `## ${section.title} (\`${section.name}\`)\n\n**Not measured:** ${message}\n`,
    failures: [`${section.name}: not measured (${message})`],
    figures: { error: message },
  };
}

import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ratioChart } from './chart/ratio-chart.js';
import { parseArgs, USAGE, UsageError } from './cli.js';
import { publishedFigures, updateDocs } from './docs.js';
import type { BenchGroup, Mode } from './group.js';
import { groups } from './groups/index.js';
import {
  HTTP_MODES,
  HTTP_SUITES,
  type HttpSuite,
  type HttpSuiteResult,
  httpBroken,
  httpFailures,
  renderHttpSuite,
  renderHttpSummary,
  runHttpSuite,
} from './http/index.js';
import { ratioChartGroups, renderRatios } from './http/report-ratios.js';
import { measureVariants } from './measure.js';
import {
  describeMachine,
  failures,
  type GroupResult,
  renderGroup,
  renderHeader,
  renderSummary,
  writeReport,
} from './report.js';
import { type Section, type SectionResult, sectionFailed } from './section.js';
import { sections } from './sections.js';

/**
 * `npm run bench`: runs the micro groups, then the HTTP suites, prints a
 * Markdown table per group and writes bench/results/latest.md (and .json).
 * The exit code is 0 even when a target is missed: this is a report, and the
 * misses are listed at the end. It is 1 only when a group could not run at
 * all, or an HTTP variant had a request refused (its figures would be wrong).
 */

const resultsPath = resolve(dirname(fileURLToPath(import.meta.url)), '../results/latest.md');
const chartPath = resultsPath.replace(/\.md$/, '.svg');
const docsPath = resolve(dirname(fileURLToPath(import.meta.url)), '../../docs/benchmarks.md');
const startedAt = Date.now();
/** Progress on stderr, each line with the seconds since the start (to see where a run spends its time). */
const progress = (message: string) =>
  process.stderr.write(`[${((Date.now() - startedAt) / 1000).toFixed(1).padStart(5)} s] ${message}\n`);

async function runGroup(group: BenchGroup, mode: Mode): Promise<GroupResult> {
  const base = { name: group.name, title: group.title, description: group.description };
  progress(`${group.name}: setting up`);
  try {
    const plan = await group.setup(mode);
    try {
      const variants = await measureVariants(plan.variants, mode, progress);
      return { ...base, notes: plan.notes ?? [], variants };
    } finally {
      await plan.teardown?.();
    }
  } catch (error) {
    // One broken group must not hide the others' figures; it is reported as not measured.
    progress(
      `${group.name}: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return {
      ...base,
      notes: [],
      variants: [],
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

async function runSuite(suite: HttpSuite, mode: Mode): Promise<HttpSuiteResult> {
  try {
    return await runHttpSuite(suite, mode.name, progress);
  } catch (error) {
    progress(
      `${suite.name}: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    const message = error instanceof Error ? error.message : String(error);
    return { suite, mode: { ...HTTP_MODES[mode.name] }, variants: [], targets: [], error: message };
  }
}

async function runSection(section: Section, mode: Mode): Promise<SectionResult> {
  progress(`${section.name}: starting`);
  try {
    return await section.run(mode, progress);
  } catch (error) {
    progress(
      `${section.name}: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return sectionFailed(section, error);
  }
}

function writeChart(
  machine: ReturnType<typeof describeMachine>,
  mode: Mode,
  http: readonly HttpSuiteResult[],
  others: readonly SectionResult[],
): boolean {
  const groups = [...ratioChartGroups(http), ...others.flatMap((s) => s.chart ?? [])];
  if (groups.length === 0) return false;
  const svg = ratioChart({
    title:
      'cipherlayer benchmarks: throughput ratios (log scale; bars from 1×, whiskers min–max across rounds)',
    subtitle: [
      `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB; ${machine.os}; Node.js ${machine.node}`,
      `${machine.date}, ${mode.name} mode; load average at start ${machine.loadAverage.join(' / ')}`,
    ],
    series: ['by requests/s (or time per request)', 'by requests per second of server CPU'],
    groups,
  });
  writeFileSync(chartPath, svg);
  return true;
}

async function main(): Promise<number> {
  let options: ReturnType<typeof parseArgs>;
  try {
    const httpNames = HTTP_SUITES.map((s) => s.name);
    options = parseArgs(
      process.argv.slice(2),
      [...groups.map((g) => g.name), ...httpNames, ...sections.map((s) => s.name)],
      { http: httpNames },
    );
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  const all = options.only.length === 0;
  const selected = all ? groups : groups.filter((g) => options.only.includes(g.name));
  const selectedHttp = all ? HTTP_SUITES : HTTP_SUITES.filter((s) => options.only.includes(s.name));
  const selectedSections = all ? sections : sections.filter((s) => options.only.includes(s.name));
  const machine = describeMachine();
  const header = renderHeader(machine, options.mode, [
    ...selected.map((g) => g.name),
    ...selectedHttp.map((s) => s.name),
    ...selectedSections.map((s) => s.name),
  ]);
  process.stdout.write(`${header}\n`);

  const started = Date.now();
  const results: GroupResult[] = [];
  for (const group of selected) {
    const result = await runGroup(group, options.mode);
    results.push(result);
    process.stdout.write(`${renderGroup(result)}\n`);
  }

  const httpResults: HttpSuiteResult[] = [];
  for (const suite of selectedHttp) {
    const result = await runSuite(suite, options.mode);
    httpResults.push(result);
    process.stdout.write(`${renderHttpSuite(result)}\n`);
  }

  const sectionResults: SectionResult[] = [];
  for (const section of selectedSections) {
    const result = await runSection(section, options.mode);
    sectionResults.push(result);
    process.stdout.write(`${result.markdown}\n`);
  }

  const ratios = httpResults.length > 0 ? renderRatios(httpResults) : '';
  if (ratios !== '') process.stdout.write(`${ratios}\n`);
  const sectionFailures = sectionResults.flatMap((s) => s.failures);
  const summary = [
    ...(selected.length > 0 ? [renderSummary(results)] : []),
    ...(httpResults.length > 0 ? [renderHttpSummary(httpResults)] : []),
    ...(sectionFailures.length > 0
      ? [['## Not measured', '', ...sectionFailures.map((f) => `- ${f}`), ''].join('\n')]
      : []),
  ].join('\n');
  const elapsed = `Total time ${((Date.now() - started) / 1000).toFixed(1)} s.\n`;
  process.stdout.write(`${summary}\n${elapsed}`);
  const markdown = [
    header,
    ...results.map(renderGroup),
    ...httpResults.map(renderHttpSuite),
    ...sectionResults.map((s) => s.markdown),
    ...(ratios === '' ? [] : [ratios]),
    summary,
    elapsed,
  ].join('\n');
  writeReport(resultsPath, markdown, {
    machine,
    mode: options.mode,
    groups: results,
    http: httpResults,
    sections: sectionResults.map((s) => ({ name: s.name, figures: s.figures })),
  });
  progress(`written: ${resultsPath}`);
  if (writeChart(machine, options.mode, httpResults, sectionResults)) progress(`written: ${chartPath}`);
  // The published figures: only a full run of everything replaces them.
  if (all && options.mode.name === 'full') {
    const published = publishedFigures(
      machine,
      ratios,
      sectionResults.map((s) => s.markdown),
      summary,
    );
    if (updateDocs(docsPath, published)) progress(`written: ${docsPath}`);
  }

  const failed = [...failures(results), ...httpFailures(httpResults), ...sectionFailures];
  if (failed.length > 0) {
    process.stderr.write(`\n${failed.length} NOT met or not measured (the report above is complete):\n`);
    for (const line of failed) process.stderr.write(`  FAIL ${line}\n`);
  }
  // A missed target is a finding (exit 0); a group that could not run is a broken benchmark.
  return results.some((r) => r.error !== undefined) || httpBroken(httpResults) || sectionFailures.length > 0
    ? 1
    : 0;
}

process.exitCode = await main();

import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, USAGE, UsageError } from './cli.js';
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

/**
 * `npm run bench`: runs the micro groups, then the HTTP suites, prints a
 * Markdown table per group and writes bench/results/latest.md (and .json).
 * The exit code is 0 even when a target is missed: this is a report, and the
 * misses are listed at the end. It is 1 only when a group could not run at
 * all, or an HTTP variant had a request refused (its figures would be wrong).
 */

const resultsPath = resolve(dirname(fileURLToPath(import.meta.url)), '../results/latest.md');
const progress = (message: string) => process.stderr.write(`${message}\n`);

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

async function main(): Promise<number> {
  let options: ReturnType<typeof parseArgs>;
  try {
    const httpNames = HTTP_SUITES.map((s) => s.name);
    options = parseArgs(process.argv.slice(2), [...groups.map((g) => g.name), ...httpNames], {
      http: httpNames,
    });
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
  const machine = describeMachine();
  const header = renderHeader(machine, options.mode, [
    ...selected.map((g) => g.name),
    ...selectedHttp.map((s) => s.name),
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

  const summary = [
    ...(selected.length > 0 ? [renderSummary(results)] : []),
    ...(httpResults.length > 0 ? [renderHttpSummary(httpResults)] : []),
  ].join('\n');
  const elapsed = `Total time ${((Date.now() - started) / 1000).toFixed(1)} s.\n`;
  process.stdout.write(`${summary}\n${elapsed}`);
  const markdown = [
    header,
    ...results.map(renderGroup),
    ...httpResults.map(renderHttpSuite),
    summary,
    elapsed,
  ].join('\n');
  writeReport(resultsPath, markdown, { machine, mode: options.mode, groups: results, http: httpResults });
  progress(`written: ${resultsPath}`);

  const failed = [...failures(results), ...httpFailures(httpResults)];
  if (failed.length > 0) {
    process.stderr.write(`\n${failed.length} NOT met or not measured (the report above is complete):\n`);
    for (const line of failed) process.stderr.write(`  FAIL ${line}\n`);
  }
  // A missed target is a finding (exit 0); a group that could not run is a broken benchmark.
  return results.some((r) => r.error !== undefined) || httpBroken(httpResults) ? 1 : 0;
}

process.exitCode = await main();

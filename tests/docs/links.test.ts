import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './helpers/from-source.js';

/**
 * The docs point at the demo's files, the spec's sections and the package
 * READMEs: every relative link must reach an existing file, and every
 * `#anchor` a heading of that file (GitHub's anchors), so that a renamed
 * file or section shows up here rather than as a dead link.
 */
const DOCS = ['docs/getting-started.md', 'docs/how-it-works.md'];

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2... */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.*)$/.exec(line);
    if (heading === null) continue;
    const slug = heading[1]!
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** Relative link targets of a Markdown file, outside code blocks and code spans. */
function linksOf(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1]!)
    .filter((target) => !/^[a-z]+:/i.test(target));
}

describe.each(DOCS)('%s', (doc) => {
  const path = join(REPO, doc);
  const markdown = readFileSync(path, 'utf8');
  const links = linksOf(markdown);

  it('has links, and each reaches an existing file and heading', () => {
    expect(links.length).toBeGreaterThan(5);
    const broken: string[] = [];
    for (const link of links) {
      const [file = '', anchor] = link.split('#');
      const target = file === '' ? path : join(dirname(path), file);
      if (!existsSync(target)) {
        broken.push(`${link}: no ${relative(REPO, target)}`);
        continue;
      }
      if (anchor !== undefined && !anchorsOf(readFileSync(target, 'utf8')).has(anchor))
        broken.push(`${link}: no heading #${anchor} in ${relative(REPO, target)}`);
    }
    expect(broken).toEqual([]);
  });
});

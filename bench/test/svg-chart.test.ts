import { describe, expect, it } from 'vitest';
import { formatTimes, logPosition, ratioChart, ratioDomain, ticks } from '../src/chart/ratio-chart.js';
import { element, escapeXml, num, svgDocument, text } from '../src/chart/svg.js';

// The SVG writer and the ratio chart: pure string building, checked on their output.

describe('the SVG writer', () => {
  it('escapes text and attribute values', () => {
    expect(escapeXml(`a<b & "c" 'd'>`)).toBe('a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;');
    expect(text({ x: 1, y: 2 }, 'GET cl1 ÷ <floor>')).toBe(
      '<text x="1" y="2">GET cl1 ÷ &lt;floor&gt;</text>',
    );
    expect(element('rect', { title: 'a"b' })).toBe('<rect title="a&quot;b"/>');
  });

  it('writes numbers with at most two decimals, leaves out undefined attributes, refuses bad names', () => {
    expect(num(1 / 3)).toBe('0.33');
    expect(num(12)).toBe('12');
    expect(() => num(Number.NaN)).toThrow(/finite/);
    expect(element('line', { x1: 0.125, x2: undefined })).toBe('<line x1="0.13"/>');
    expect(element('g', {}, '<a/>', '<b/>')).toBe('<g><a/><b/></g>');
    expect(() => element('bad name', {})).toThrow(/element name/);
  });

  it('makes a document with its size, namespace and background', () => {
    const svg = svgDocument(100, 50, '<circle/>');
    expect(
      svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50" viewBox="0 0 100 50"'),
    ).toBe(true);
    expect(svg).toContain('<rect x="0" y="0" width="100" height="50" fill="#ffffff"/><circle/></svg>');
  });
});

describe('the ratio chart', () => {
  it('spans powers of ten around every value and 1×', () => {
    expect(ratioDomain([0.35, 2.5])).toEqual([0.1, 10]);
    expect(ratioDomain([1])).toEqual([0.1, 10]);
    expect(ratioDomain([0.004, 120, Number.NaN, -1])).toEqual([0.001, 1000]);
    expect(ratioDomain([])).toEqual([0.1, 10]);
  });

  it('places values on a log axis, clamped to the domain', () => {
    const domain = [0.1, 10] as const;
    expect(logPosition(1, domain, 0, 200)).toBeCloseTo(100);
    expect(logPosition(10, domain, 0, 200)).toBeCloseTo(200);
    expect(logPosition(0.1, domain, 0, 200)).toBeCloseTo(0);
    expect(logPosition(1000, domain, 0, 200)).toBeCloseTo(200);
    expect(logPosition(Math.sqrt(10), domain, 0, 200)).toBeCloseTo(150);
  });

  it('ticks at 1, 2 and 5 times each power of ten, and formats ratios', () => {
    expect(ticks([0.1, 10])).toEqual([0.1, 0.2, 0.5, 1, 2, 5, 10]);
    expect(formatTimes(0.0423)).toBe('0.042×');
    expect(formatTimes(1.333)).toBe('1.33×');
    expect(formatTimes(42.4)).toBe('42×');
  });

  it('draws one bar per measured series, a whisker each, labels escaped, and says which pair was not compared', () => {
    const svg = ratioChart({
      title: 'ratios <test>',
      subtitle: ['machine'],
      series: ['by req/s', 'by CPU'],
      groups: [
        {
          title: 'Fastify',
          rows: [
            { label: 'GET cl1 session ÷ GET floor', bars: [{ median: 0.9, min: 0.8, max: 1.1 }, undefined] },
            {
              label: 'POST 1 MiB cl1 session',
              bars: [
                { median: 2, min: 1.5, max: 3 },
                { median: 1.2, min: 1, max: 1.4 },
              ],
            },
          ],
        },
      ],
    });
    expect(svg).toContain('ratios &lt;test&gt;');
    expect(svg).toContain('GET cl1 session ÷ GET floor');
    expect(svg).toContain('not compared');
    // Three bars, and the legend's two swatches and the background.
    expect(svg.match(/<rect /g)).toHaveLength(6);
    expect(svg).toContain('>0.9×<');
    expect(svg).toContain('>2×<');
    // The 1× line is black, the other grid lines grey.
    expect(svg).toMatch(/stroke="#000000" stroke-width="1.5"/);
    expect(svg.endsWith('</svg>\n')).toBe(true);
  });
});

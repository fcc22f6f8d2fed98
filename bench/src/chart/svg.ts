/**
 * A very small SVG writer: elements as strings, attributes and text
 * escaped. Enough for a bar chart; the bench takes no dependency for it.
 */

export type Attributes = Readonly<Record<string, string | number | undefined>>;

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text and attribute values as XML character data. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

/** Numbers with at most two decimals, so the file stays small and stable. */
export function num(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a finite coordinate: ${value}`);
  return String(Math.round(value * 100) / 100);
}

function attributes(attrs: Attributes): string {
  return Object.entries(attrs)
    .filter(([, value]) => value !== undefined)
    .map(
      ([name, value]) => ` ${name}="${typeof value === 'number' ? num(value) : escapeXml(value as string)}"`,
    )
    .join('');
}

/** `<name attrs>children</name>`, or `<name attrs/>` without children. Children are markup already. */
export function element(name: string, attrs: Attributes = {}, ...children: string[]): string {
  if (!/^[a-zA-Z][\w:-]*$/.test(name)) throw new Error(`not an element name: ${name}`);
  return children.length === 0
    ? `<${name}${attributes(attrs)}/>`
    : `<${name}${attributes(attrs)}>${children.join('')}</${name}>`;
}

/** A text element; `content` is escaped. */
export function text(attrs: Attributes, content: string): string {
  return element('text', attrs, escapeXml(content));
}

/** The whole document, with its size and a white background. */
export function svgDocument(width: number, height: number, ...children: string[]): string {
  return `${element(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      width,
      height,
      viewBox: `0 0 ${num(width)} ${num(height)}`,
      'font-family': 'system-ui, -apple-system, Segoe UI, sans-serif',
      'font-size': 12,
    },
    element('rect', { x: 0, y: 0, width, height, fill: '#ffffff' }),
    ...children,
  )}\n`;
}

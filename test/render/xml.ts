/**
 * A tiny XML reader for the SVG tests: enough of XML 1.0 to reject what a browser would
 * (unbalanced or misnested tags, unquoted or duplicate attributes, a raw `<` or `&` in text or
 * attributes, text outside the root), and to hand back the element tree to assert on.
 */
import * as assert from 'uvu/assert';

export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  /** Character data directly inside, entity-decoded. */
  text: string;
}

const ENTITY: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const REF = /&(?:(amp|lt|gt|quot|apos)|#(\d+)|#x([0-9a-fA-F]+));/g;

function decode(raw: string, where: string): string {
  assert.not.ok(/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(raw), `raw & in ${where}: ${JSON.stringify(raw.slice(0, 80))}`);
  return raw.replace(REF, (_, name: string | undefined, dec: string | undefined, hex: string | undefined) =>
    name !== undefined ? ENTITY[name]! : String.fromCodePoint(dec !== undefined ? Number(dec) : parseInt(hex!, 16)),
  );
}

/** Parses the document (asserting it is well-formed) and returns its root element. */
export function parseXml(xml: string): XmlElement {
  const body = xml.replace(/^<\?xml [^?]*\?>/, '');
  const token = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[^\s=/>]+\s*=\s*"[^"]*")*)\s*(\/?)>|<!--[\s\S]*?-->/g;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let last = 0;
  for (const m of body.matchAll(token)) {
    const between = body.slice(last, m.index);
    assert.not.ok(/[<>]/.test(between), `stray markup: ${JSON.stringify(between.slice(0, 80))}`);
    if (stack.length === 0) assert.is(between.trim(), '', 'text outside the root element');
    else stack[stack.length - 1]!.text += decode(between, 'text');
    last = m.index + m[0].length;
    if (m[0].startsWith('<!--')) continue;
    const [, closing, name, rawAttrs, selfClosing] = m;
    if (closing === '/') {
      assert.is(stack.pop()?.name, name, `</${name}> closes the wrong element`);
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of rawAttrs!.matchAll(/([^\s=/>]+)\s*=\s*"([^"]*)"/g)) {
      assert.not.ok(a[1]! in attrs, `duplicate attribute ${a[1]} on <${name}>`);
      assert.not.ok(a[2]!.includes('<'), `raw < in attribute ${a[1]} of <${name}>`);
      attrs[a[1]!] = decode(a[2]!, `attribute ${a[1]} of <${name}>`);
    }
    const element: XmlElement = { name: name!, attrs, children: [], text: '' };
    if (stack.length === 0) {
      assert.is(root, undefined, 'exactly one root element');
      root = element;
    } else stack[stack.length - 1]!.children.push(element);
    if (selfClosing !== '/') stack.push(element);
  }
  assert.is(body.slice(last).trim(), '', 'text after the root element');
  assert.is(stack.length, 0, `unclosed: ${stack.map((e) => e.name).join(' ')}`);
  assert.ok(root !== undefined, 'a root element');
  return root;
}

/** Every element below (and including) `root`, depth first, that `match` accepts. */
export function findAll(root: XmlElement, match: (e: XmlElement) => boolean): XmlElement[] {
  const out: XmlElement[] = [];
  const visit = (e: XmlElement): void => {
    if (match(e)) out.push(e);
    e.children.forEach(visit);
  };
  visit(root);
  return out;
}

export const hasClass = (e: XmlElement, cls: string): boolean => (e.attrs.class ?? '').split(/\s+/).includes(cls);

/** The <title> text of an element (its tooltip). */
export function titleOf(e: XmlElement): string | undefined {
  return e.children.find((c) => c.name === 'title')?.text;
}

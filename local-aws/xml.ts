/**
 * Just enough XML for the REST-XML protocols (S3, CloudFront): writing answers and reading the
 * small request documents the SDK sends (an InvalidationBatch, a CreateBucketConfiguration).
 * Attributes (the xmlns) are ignored; a document that is not well formed is refused.
 */

export interface XmlElement {
  readonly name: string;
  readonly children: readonly XmlElement[];
  /** The element's own text, entities decoded. */
  readonly text: string;
}

/** A value to write: text, a nested element list, or a repeated element. */
export type XmlValue = string | number | boolean | XmlFields | readonly XmlValue[];
export interface XmlFields {
  readonly [name: string]: XmlValue | undefined;
}

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/** A document with one root element; `undefined` fields are left out. */
export function xmlDocument(root: string, fields: XmlFields, xmlns?: string): string {
  const attributes = xmlns === undefined ? '' : ` xmlns="${xmlns}"`;
  return `${DECLARATION}<${root}${attributes}>${writeFields(fields)}</${root}>`;
}

function writeFields(fields: XmlFields): string {
  return Object.entries(fields)
    .map(([name, value]) => (value === undefined ? '' : writeElement(name, value)))
    .join('');
}

function writeElement(name: string, value: XmlValue): string {
  if (Array.isArray(value)) {
    return (value as readonly XmlValue[]).map((item) => writeElement(name, item)).join('');
  }
  const content =
    typeof value === 'object' ? writeFields(value as XmlFields) : escapeXml(String(value));
  return `<${name}>${content}</${name}>`;
}

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export class XmlSyntaxError extends Error {
  override readonly name = 'XmlSyntaxError';
}

/** Parses a document; throws XmlSyntaxError when it is not well formed. */
export function parseXml(text: string): XmlElement {
  const tokens = /<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<(\/?)([A-Za-z_][\w.:-]*)([^>]*?)(\/?)>|([^<]+)/g;
  const stack: { name: string; children: XmlElement[]; text: string }[] = [];
  let root: XmlElement | undefined;
  let consumed = 0;
  for (const match of text.matchAll(tokens)) {
    if (match.index !== consumed) throw new XmlSyntaxError('unexpected markup');
    consumed += match[0].length;
    const [, closing, name, , selfClosing, characters] = match;
    if (characters !== undefined) {
      const open = stack.at(-1);
      if (open === undefined) {
        if (characters.trim() !== '') throw new XmlSyntaxError('text outside the root element');
      } else {
        open.text += decodeEntities(characters);
      }
    } else if (name === undefined) {
      continue; // declaration or comment
    } else if (closing === '/') {
      const open = stack.pop();
      if (open?.name !== name) throw new XmlSyntaxError(`unexpected </${name}>`);
      close(open);
    } else if (selfClosing === '/') {
      if (root !== undefined && stack.length === 0) throw new XmlSyntaxError('two roots');
      close({ name, children: [], text: '' });
    } else {
      if (root !== undefined && stack.length === 0) throw new XmlSyntaxError('two roots');
      stack.push({ name, children: [], text: '' });
    }
  }
  if (consumed !== text.length || stack.length > 0 || root === undefined) {
    throw new XmlSyntaxError('the document is incomplete');
  }
  return root;

  function close(element: XmlElement): void {
    const parent = stack.at(-1);
    if (parent === undefined) root = element;
    else parent.children.push(element);
  }
}

/** The first child element of that name. */
export function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((candidate) => candidate.name === name);
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[entity] ?? '';
  });
}

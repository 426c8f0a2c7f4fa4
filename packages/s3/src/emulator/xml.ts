import { XMLBuilder, XMLParser } from 'fast-xml-parser'
import { malformed } from './s3-error.js'

const NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/'

const builder = new XMLBuilder({ ignoreAttributes: false, suppressEmptyNode: false })

// Keys and ETags stay strings ("007" is not 7); whitespace in keys is significant.
const parser = new XMLParser({
  parseTagValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  isArray: (name) => name === 'Object' || name === 'Part' || name === 'Tag',
})

/** `<Root xmlns="…">…</Root>` with an XML declaration. */
export function xmlDocument(root: string, content: Record<string, unknown>, namespace = true): Buffer {
  const element = namespace ? { '@_xmlns': NAMESPACE, ...content } : content
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ [root]: element })}`)
}

/** The request body's root element, refused as S3 does when it is not well-formed or not `root`. */
export function parseXml(body: Buffer, root: string): Record<string, unknown> {
  let document: Record<string, unknown>
  try {
    document = parser.parse(body.toString('utf8'), true) as Record<string, unknown>
  } catch {
    throw malformed(
      'The XML you provided was not well-formed or did not validate against our published schema.',
    )
  }
  const element = document[root]
  if (!element || typeof element !== 'object')
    throw malformed(`The XML you provided has no <${root}> element.`)
  return element as Record<string, unknown>
}

/** An element's text: a parsed element is a string, or an object with `#text` when it has attributes. */
export function elementText(value: unknown): string {
  if (typeof value === 'string') return value
  if (value && typeof value === 'object' && '#text' in value)
    return String((value as { '#text': unknown })['#text'])
  return value === undefined ? '' : String(value)
}

import t from 'tap'
import { DOMParser } from '@xmldom/xmldom'
import { createNegotiator } from '../lib/negotiate.ts'
import { problemXml, xmlElementName } from '../lib/xml.ts'
import { memberName } from './property-invariants.ts'

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7'

t.test('the Accept header chooses the form by RFC 9110 weights, never refusing', async (t) => {
  const negotiate = createNegotiator(true)
  const cases: Array<[string | undefined, string]> = [
    [undefined, 'application/problem+json'],
    ['', 'application/problem+json'],
    ['*/*', 'application/problem+json'],
    ['application/*', 'application/problem+json'],
    [BROWSER, 'application/problem+json'],
    ['application/json, text/plain, */*', 'application/problem+json'],
    ['application/problem+json', 'application/problem+json'],
    ['application/json', 'application/json'],
    ['application/problem+xml', 'application/problem+xml'],
    ['image/png', 'application/problem+json'],
    ['application/vnd.x+json', 'application/problem+json'],
    ['text/html', 'application/problem+json'],
    // 1. weights: the highest wins, equal weights go to problem+json, then json, then problem+xml
    ['application/json;q=0.9, application/problem+json;q=0.5', 'application/json'],
    ['application/json, application/problem+xml', 'application/json'],
    ['application/problem+xml, application/problem+json', 'application/problem+json'],
    ['application/problem+xml;q=1, */*;q=0.5', 'application/problem+xml'],
    ['application/problem+json;q=0, application/json', 'application/json'],
    ['*/*;q=0', 'application/problem+json'],
    // 2. the most specific range sets the weight, whatever its place in the header
    ['application/problem+json;q=0.1, application/*;q=0.9, application/problem+xml;q=0.5', 'application/json'],
    ['application/problem+json;q=0.2;level=1, application/problem+json;version=2;q=0.3, */*;q=0.25', 'application/problem+json'],
    ['application/problem+json;version=2;q=0.1, application/problem+json;q=0.9, application/json;q=0.5', 'application/json'],
    // 3. case, spaces, quoted commas and semicolons, accept extensions
    ['  APPLICATION/Problem+XML ; Q=0.8 , application/problem+json;q=0.7', 'application/problem+xml'],
    ['application/json;profile="a,b;c\\"d";q=0.9, application/problem+json;q=0.2', 'application/json'],
    ['application/problem+xml;q=0.9;ext=1, */*;q=0.1', 'application/problem+xml'],
    // 4. malformed ranges are ignored, never fatal
    ['application/problem+xml;q=2, application/json;q=0.5', 'application/json'],
    ['application/problem+xml;q, application/json;q=0.5', 'application/json'],
    ['application/problem+xml;q=high, application/json;q=0.5', 'application/json'],
    ['*/json, application/json;q=0.1', 'application/json'],
    ['json, application/json;q=0.1', 'application/json'],
    ['application/, /json, a b/c, application/json;q=0.1', 'application/json'],
    ['application/json;;q=0.5, application/problem+json;q=0.4', 'application/json'],
    ['"unclosed, application/problem+xml', 'application/problem+json'],
    [',,,', 'application/problem+json']
  ]
  for (const [accept, expected] of cases) t.equal(negotiate(accept), expected, `Accept ${JSON.stringify(accept)}`)
  // a second time, from what the negotiator remembers
  for (const [accept, expected] of cases) t.equal(negotiate(accept), expected, `Accept ${JSON.stringify(accept)} again`)
})

t.test('with the XML form off, a client that prefers it gets problem+json', async (t) => {
  const negotiate = createNegotiator(false)
  t.equal(negotiate('application/problem+xml'), 'application/problem+json')
  t.equal(negotiate('application/problem+xml, application/json;q=0.5'), 'application/json')
})

t.test('the negotiator remembers a bounded number of Accept values and answers the same after forgetting them', async (t) => {
  const negotiate = createNegotiator(true)
  for (let i = 0; i < 600; i++) t.equal(negotiate(`application/x-${i}, application/problem+xml;q=0.${i % 2 === 0 ? 5 : 0}`), i % 2 === 0 ? 'application/problem+xml' : 'application/problem+json')
  const long = `${'application/x-long;p=1, '.repeat(40)}application/json`
  t.ok(long.length > 512)
  t.equal(negotiate(long), 'application/json', 'a long header is parsed every time')
  t.equal(negotiate(long), 'application/json')
})

t.test('member names that are not XML names are written reversibly as _xHHHH_ escapes', async (t) => {
  const names = ['type', 'trace_id', 'a.b-c', 'a b', '1st', '', 'xmlns', 'XMLfoo', 'x', 'a:b', '_x', 'a_x0020_b', '_X', 'été', '名前', 'a\u0000b', '\ud83d\ude00', 'a\ud800', '-a', '.a', 'a·b', 'ab\u0301']
  for (const name of names) {
    const element = xmlElementName(name)
    t.equal(memberName(element), name, `${JSON.stringify(name)} -> ${element}`)
    const parsed = new DOMParser({ onError: (level, message) => { if (level !== 'warning') throw new Error(message) } }).parseFromString(`<${element} xmlns="urn:x"/>`, 'application/xml')
    t.equal(parsed.documentElement?.localName, element, `${element} is an XML name`)
  }
  t.equal(xmlElementName('trace_id'), 'trace_id', 'plain names stay as they are')
  t.equal(xmlElementName('a b'), 'a_x0020_b')
  t.equal(xmlElementName(''), '_x_')
  t.equal(xmlElementName('xmlns'), '_x0078_mlns')
  t.equal(xmlElementName('\ud83d\ude00'), '\ud83d\ude00', 'XML 1.0 fifth edition names take characters beyond the BMP')
})

t.test('the XML form escapes every value and writes arrays, objects and null as appendix B does', async (t) => {
  const xml = problemXml({ type: '/p/x', title: 'a < b & c > d ]]>', status: 400, retryable: false, detail: 'line\r\nnext\u0085\u2028\u0000\u0007\ud800 ok \ud83d\ude00', list: ['x', 2, true, null, ['y'], { k: 'v' }], object: { inner: { deep: 1 } }, nothing: null })
  t.equal(xml, '<?xml version="1.0" encoding="UTF-8"?>\n<problem xmlns="urn:ietf:rfc:7807">' +
    '<type>/p/x</type><title>a &lt; b &amp; c &gt; d ]]&gt;</title><status>400</status><retryable>false</retryable>' +
    '<detail>line&#13;\nnext&#133;&#8232;\ufffd\ufffd\ufffd ok \ud83d\ude00</detail>' +
    '<list><i>x</i><i>2</i><i>true</i><i/><i><i>y</i></i><i><k>v</k></i></list>' +
    '<object><inner><deep>1</deep></inner></object><nothing/></problem>\n')
  const parsed = new DOMParser({ onError: (level, message) => { if (level !== 'warning') throw new Error(message) } }).parseFromString(xml, 'application/xml')
  t.equal(parsed.getElementsByTagName('detail')[0].textContent, 'line\r\nnext\u0085\u2028\ufffd\ufffd\ufffd ok \ud83d\ude00', 'a real parser reads back every character that XML can carry')
  t.equal(parsed.getElementsByTagName('title')[0].textContent, 'a < b & c > d ]]>')
})

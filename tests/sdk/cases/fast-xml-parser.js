// fast-xml-parser: parse with attributes, build, validate.
const { XMLParser, XMLBuilder, XMLValidator } = require('fast-xml-parser');

const XML = `<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="text">Chat &amp; news</title>
  <entry id="1"><title>First</title><count>3</count><ok>true</ok></entry>
  <entry id="2"><title><![CDATA[<b>Second</b>]]></title><count>04</count></entry>
</feed>`;

async function handleEvent() {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', cdataPropName: '#cdata', isArray: (name) => name === 'entry' });
  const parsed = parser.parse(XML);
  const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@', format: true });
  return {
    parsed,
    plain: new XMLParser().parse('<a><b>1</b><b>2</b><c>x</c></a>'),
    built: builder.build({ note: { '@lang': 'en', to: 'Ada', body: 'Hi & bye' } }),
    valid: XMLValidator.validate(XML),
    invalid: XMLValidator.validate('<a><b></a>'),
  };
}

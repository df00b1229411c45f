// markdown-it: CommonMark with tables, linkify and typographer.
const MarkdownIt = require('markdown-it');

const SOURCE = `# Chat "notes" -- v2

Visit https://example.com or **bold** _em_ \`code\` (c) ...

| a | b |
|---|:-:|
| 1 | 2 |

1. one
2. two
   - nested

> quote with <span>html</span>

\`\`\`js
const x = 1 < 2;
\`\`\`
`;

async function handleEvent() {
  const md = new MarkdownIt({ linkify: true, typographer: true });
  const safe = new MarkdownIt('commonmark', { html: false });
  return {
    html: md.render(SOURCE),
    inline: md.renderInline('a *b* [c](https://c.example "t")'),
    escaped: safe.render('<b>raw</b> & [x](javascript:alert(1))'),
    tokens: md.parse('# h\n\ntext', {}).map((t) => t.type),
  };
}

// marked: GitHub-flavoured markdown to HTML, and its lexer.
const { marked, Marked } = require('marked');

const SOURCE = `## Release *notes*

- [x] done
- [ ] todo

| name | n |
| ---- | -:|
| ada  | 1 |

Autolink: https://example.com and ~~gone~~.

\`\`\`
code <here>
\`\`\`
`;

async function handleEvent() {
  const custom = new Marked({
    breaks: true,
    renderer: {
      heading({ tokens, depth }) {
        return `<h${depth} class="h">${this.parser.parseInline(tokens)}</h${depth}>\n`;
      },
    },
  });
  return {
    html: marked.parse(SOURCE),
    inline: marked.parseInline('**a** _b_ `c`'),
    custom: custom.parse('# Title\nline one\nline two'),
    tokens: marked.lexer(SOURCE).map((t) => t.type),
  };
}

// sanitize-html (htmlparser2, postcss): defaults, allow-lists, styles,
// transforms.
const sanitizeHtml = require('sanitize-html');

const DIRTY = `<h1 onclick="steal()">Title</h1><p class="x" style="color: red; position: fixed">Hello <b>there</b>
<script>alert(1)</script><a href="javascript:alert(2)">bad</a> <a href="https://example.com" target="_blank">good</a>
<img src="x.png" onerror="boom()"><iframe src="https://evil.example"></iframe><!-- comment --> &amp; &lt;3</p>`;

async function handleEvent() {
  return {
    defaults: sanitizeHtml(DIRTY),
    textOnly: sanitizeHtml(DIRTY, { allowedTags: [], allowedAttributes: {} }),
    styles: sanitizeHtml(DIRTY, {
      allowedTags: ['p', 'b'],
      allowedAttributes: { p: ['style', 'class'] },
      allowedClasses: { p: ['x'] },
      allowedStyles: { '*': { color: [/^red$/] } },
    }),
    transformed: sanitizeHtml('<ol><li>one</li></ol><b>bold</b>', {
      transformTags: { ol: 'ul', b: sanitizeHtml.simpleTransform('strong', { class: 'bold' }) },
      allowedAttributes: { strong: ['class'] },
    }),
    images: sanitizeHtml(DIRTY, { allowedTags: ['img'], allowedAttributes: { img: ['src'] }, allowedSchemes: ['https'] }),
  };
}

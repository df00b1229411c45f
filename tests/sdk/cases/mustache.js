// mustache: templates with sections, partials, escaping.
const Mustache = require('mustache');

async function handleEvent() {
  const view = {
    name: 'Ada <admin>',
    items: [{ title: 'one', price: 1.5 }, { title: 'two', price: 2 }],
    empty: [],
    total() {
      return this.items.reduce((sum, i) => sum + i.price, 0);
    },
    bold() {
      return (text, render) => `<b>${render(text)}</b>`;
    },
  };
  const template = 'Hi {{name}} / {{{name}}}\n{{#items}}- {{title}}: {{price}}\n{{/items}}{{^empty}}(none){{/empty}}\nTotal {{total}} {{#bold}}{{name}}{{/bold}}\n{{> footer}}';
  return {
    rendered: Mustache.render(template, view, { footer: '-- {{name}}' }),
    parsed: Mustache.parse('a {{b}} {{#c}}d{{/c}}').map((t) => t[0]),
    custom: Mustache.render('<%greeting%>, {{not}}', { greeting: 'Hello' }, {}, ['<%', '%>']),
  };
}

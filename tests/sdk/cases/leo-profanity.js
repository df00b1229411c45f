// leo-profanity: checking, cleaning, custom word lists.
const filter = require('leo-profanity');

async function handleEvent() {
  filter.reset();
  const before = filter.list().length;
  filter.add(['frak', 'smeg']);
  const result = {
    check: [filter.check('you are a shit'), filter.check('you are a gem')],
    clean: filter.clean('What the fuck, frak this smeg!'),
    cleanWith: filter.clean('shit happens', '#', 2),
    bad: filter.badWordsUsed('damn this shit and frak'),
    added: filter.list().length - before,
  };
  filter.remove('frak');
  result.removed = filter.check('frak');
  filter.loadDictionary('fr');
  result.french = [filter.check('merde alors'), filter.clean('merde alors')];
  filter.reset();
  return result;
}

// bad-words: the profanity filter's defaults and options.
const { Filter } = require('bad-words');

async function handleEvent() {
  const filter = new Filter();
  const custom = new Filter({ placeHolder: 'x', emptyList: true });
  custom.addWords('darn', 'heck');
  const lenient = new Filter();
  lenient.removeWords('hell');
  return {
    clean: filter.clean("Don't be an ash0le, you bastard!"),
    isProfane: [filter.isProfane('hello there'), filter.isProfane('what the hell')],
    custom: custom.clean('Oh darn, heck no, damn.'),
    lenient: lenient.clean('hell and damn'),
  };
}

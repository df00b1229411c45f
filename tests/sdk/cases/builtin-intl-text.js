// Intl.PluralRules, RelativeTimeFormat, Collator (and localeCompare),
// Segmenter, ListFormat, getCanonicalLocales and supportedLocalesOf.
async function handleEvent() {
  const numbers = [0, 1, 2, 3, 5, 11, 21, 22, 23, 101, 111, 1.5, 0.5, 1000000];
  const plurals = {};
  for (const locale of ['en', 'fr', 'de', 'ru', 'ar', 'ja', 'pt', 'it', 'hi']) {
    const cardinal = new Intl.PluralRules(locale);
    const ordinal = new Intl.PluralRules(locale, { type: 'ordinal' });
    plurals[locale] = {
      cardinal: numbers.map((n) => cardinal.select(n)),
      ordinal: numbers.map((n) => ordinal.select(n)),
      categories: cardinal.resolvedOptions().pluralCategories,
    };
  }
  const fixed = new Intl.PluralRules('en', { minimumFractionDigits: 1 });

  const relative = {};
  const cases = [[-1, 'day'], [0, 'day'], [1, 'day'], [2, 'days'], [-3, 'hour'], [5, 'minutes'], [-1, 'week'], [1, 'month'], [-2, 'year'], [1, 'quarter'], [-45, 'second'], [1.5, 'hour']];
  for (const locale of ['en', 'de', 'fr', 'es', 'ja', 'ru', 'pt-BR']) {
    relative[locale] = ['long', 'short', 'narrow'].map((style) => {
      const always = new Intl.RelativeTimeFormat(locale, { style });
      const auto = new Intl.RelativeTimeFormat(locale, { style, numeric: 'auto' });
      return cases.map(([v, u]) => [always.format(v, u), auto.format(v, u)]);
    });
  }
  const relativeParts = new Intl.RelativeTimeFormat('en').formatToParts(-1234.5, 'day');

  const words = ['peach', 'Péché', 'péché', 'pêche', 'apple', 'Apple', 'Zebra', 'zebra', 'ähnlich', 'Ärger', 'item10', 'item2', 'item1', 'éclair', 'résumé', 'resume', 'co-op', 'coop', '_under', '42'];
  const sorted = {};
  for (const locale of ['en', 'de', 'fr', 'es', 'ja']) sorted[locale] = [...words].sort(new Intl.Collator(locale).compare);
  const variants = [
    { sensitivity: 'base' }, { sensitivity: 'accent' }, { sensitivity: 'case' }, { numeric: true }, { caseFirst: 'upper' }, { ignorePunctuation: true },
  ].map((options) => {
    const c = new Intl.Collator('en', options);
    return [[...words].sort(c.compare), c.compare('a', 'A'), c.compare('a', 'á'), c.compare('co-op', 'coop')];
  });

  const text = 'Hello, world! How are you? I’m fine 👍🏽. Ça va? 3.14 is π. Family: 👨‍👩‍👧‍👦 e\u0301';
  const seg = (granularity, locale, input) => [...new Intl.Segmenter(locale, { granularity }).segment(input)]
    .map((s) => (granularity === 'word' ? [s.segment, s.index, s.isWordLike] : [s.segment, s.index]));
  const segmenter = new Intl.Segmenter('en', { granularity: 'word' });
  return {
    plurals,
    fixed: [fixed.select(1), fixed.select(2), fixed.resolvedOptions()],
    relative,
    relativeParts,
    sorted,
    variants,
    localeCompare: ['a'.localeCompare('b'), 'b'.localeCompare('a'), 'a'.localeCompare('a'), 'ä'.localeCompare('z', 'de'), 'ä'.localeCompare('z', 'fr'), 'a'.localeCompare('A', undefined, { sensitivity: 'base' })],
    graphemes: seg('grapheme', 'en', text),
    words: seg('word', 'en', text),
    sentences: seg('sentence', 'en', text),
    containing: [segmenter.segment('one two three').containing(5), segmenter.segment('one two').containing(99)],
    lists: ['en', 'en-GB', 'de', 'fr', 'es', 'ja', 'zh', 'ru', 'ar', 'ko'].map((locale) =>
      ['conjunction', 'disjunction', 'unit'].map((type) => ['long', 'short', 'narrow'].map((style) =>
        [[], ['a'], ['a', 'b'], ['a', 'b', 'c', 'd']].map((list) => new Intl.ListFormat(locale, { type, style }).format(list))))),
    listParts: new Intl.ListFormat('en').formatToParts(['x', 'y', 'z']),
    canonical: Intl.getCanonicalLocales(['EN-us', 'zh-hant-tw', 'de-DE-u-co-phonebk', 'en-US']),
    supported: [Intl.NumberFormat.supportedLocalesOf(['de-AT', 'xx', 'ja-JP']), Intl.Collator.supportedLocalesOf('fr')],
    tags: [Object.prototype.toString.call(Intl), typeof Intl.DateTimeFormat, new Intl.NumberFormat().resolvedOptions().locale],
  };
}

// Intl.NumberFormat and Number.prototype.toLocaleString: decimal, percent,
// currency (symbol, code, name), compact, units (English), digit options,
// sign display, rounding modes, BigInt, formatToParts, resolvedOptions.
async function handleEvent() {
  const nf = (locale, options) => new Intl.NumberFormat(locale, options);
  const byLocale = {};
  for (const locale of ['en-US', 'en-GB', 'es', 'fr', 'de', 'it', 'pt', 'pt-BR', 'nl', 'ja', 'zh', 'ko', 'ru', 'ar', 'hi']) {
    byLocale[locale] = [
      nf(locale).format(1234567.891), nf(locale).format(-0.5), nf(locale).format(0), nf(locale, { style: 'percent' }).format(0.256),
      nf(locale, { style: 'percent', maximumFractionDigits: 1 }).format(-0.12345),
      nf(locale, { style: 'currency', currency: 'EUR' }).format(1234.5), nf(locale, { style: 'currency', currency: 'EUR' }).format(-0.99),
      nf(locale, { style: 'currency', currency: 'USD', currencyDisplay: 'code' }).format(12),
      nf(locale, { notation: 'compact' }).format(1234567), nf(locale, { notation: 'compact' }).format(1500),
      nf(locale, { maximumSignificantDigits: 3 }).format(98765.4321), (1234.5).toLocaleString(locale),
    ];
  }
  const parts = [
    nf('en', { style: 'currency', currency: 'USD' }).formatToParts(-1234.56), nf('de', { style: 'percent' }).formatToParts(0.5),
    nf('en', { notation: 'compact', compactDisplay: 'long' }).formatToParts(1500000), nf('fr').formatToParts(-1234567.5),
    nf('de', { style: 'currency', currency: 'EUR' }).formatToParts(1234.5), nf('en', { signDisplay: 'always' }).formatToParts(3),
  ];
  const digits = [
    nf('en', { maximumFractionDigits: 2 }).format(1.005), nf('en', { maximumFractionDigits: 2 }).format(1.255),
    nf('en', { minimumFractionDigits: 2 }).format(3), nf('en', { minimumFractionDigits: 1, maximumFractionDigits: 4 }).format(Math.PI),
    nf('en', { maximumSignificantDigits: 3 }).format(123456), nf('en', { minimumSignificantDigits: 5 }).format(1.5),
    nf('en', { minimumIntegerDigits: 3 }).format(5), nf('en', { useGrouping: false }).format(12345), nf('es').format(1234), nf('es').format(12345),
    nf('en').format(0.1 + 0.2), nf('en').format(1e21), nf('en').format(-0), nf('en').format(NaN), nf('en').format(-Infinity),
    nf('en').format(123456789012345680000), nf('en').format(5e-7), nf('en').format('1234.5'), nf('en').format(12345678901234567890n),
  ];
  const signs = ['auto', 'always', 'exceptZero', 'negative', 'never'].map((signDisplay) =>
    [-1, 0, -0, 1].map((x) => nf('en', { signDisplay }).format(x)));
  const rounding = ['ceil', 'floor', 'expand', 'trunc', 'halfCeil', 'halfFloor', 'halfExpand', 'halfTrunc', 'halfEven'].map((roundingMode) =>
    [2.5, -2.5, 3.5, 2.4, -2.6].map((x) => nf('en', { roundingMode, maximumFractionDigits: 0 }).format(x)));
  const compact = [1, 999, 1000, 1234, 9999, 12345, 123456, 1e6, 1.5e9, 2.5e12, -2500].map((x) => [nf('en', { notation: 'compact' }).format(x), nf('en', { notation: 'compact', compactDisplay: 'long' }).format(x), nf('de', { notation: 'compact' }).format(x)]);
  const currencies = ['USD', 'EUR', 'GBP', 'JPY', 'INR', 'CAD', 'AUD', 'CHF', 'CNY', 'BRL', 'KRW', 'MXN'].map((currency) => nf('en-US', { style: 'currency', currency }).format(1234.567));
  const units = ['percent', 'kilometer', 'mile', 'kilogram', 'liter', 'second', 'hour', 'day', 'megabyte', 'celsius', 'kilometer-per-hour'].map((unit) =>
    ['short', 'narrow', 'long'].map((unitDisplay) => [1, 2.5].map((x) => nf('en', { style: 'unit', unit, unitDisplay }).format(x))));
  return {
    byLocale, parts, digits, signs, rounding, compact, currencies, units,
    name: [nf('en', { style: 'currency', currency: 'EUR', currencyDisplay: 'name' }).format(2), nf('de', { style: 'currency', currency: 'USD', currencyDisplay: 'name' }).format(1234.5)],
    resolved: [nf().resolvedOptions(), nf('de', { style: 'currency', currency: 'eur' }).resolvedOptions(), nf('en', { notation: 'compact' }).resolvedOptions(), nf('en', { style: 'percent', maximumSignificantDigits: 2 }).resolvedOptions()],
    errors: [() => nf('en', { style: 'currency' }), () => nf('en', { maximumFractionDigits: 200 }), () => nf('en', { style: 'bogus' })].map((f) => {
      try { f(); return null; } catch (e) { return e.name; }
    }),
  };
}

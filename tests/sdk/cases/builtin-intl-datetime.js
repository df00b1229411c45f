// Intl.DateTimeFormat and Date's locale methods: IANA zones (DST edges,
// half-hour and 30-minute-DST zones), zone names, styles, option bags,
// formatToParts (the calls luxon and date-fns-tz make), resolvedOptions.
async function handleEvent() {
  const at = (iso) => new Date(iso);
  const fmt = (locale, options, date) => new Intl.DateTimeFormat(locale, options).format(date);
  const parts = (locale, options, date) =>
    new Intl.DateTimeFormat(locale, options).formatToParts(date).map((p) => `${p.type}=${p.value}`).join('|');

  // luxon's offset probe and date-fns-tz's tzParseTimezone probe.
  const probe = { hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', era: 'short' };
  const dfnsProbe = { hour12: false, year: 'numeric', month: 'numeric', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' };
  const instants = [
    '2024-03-10T06:59:59Z', '2024-03-10T07:00:00Z', // New York springs forward
    '2024-11-03T05:30:00Z', '2024-11-03T06:30:00Z', // and falls back
    '2024-03-31T00:59:59Z', '2024-03-31T01:00:00Z', // London
    '2024-10-27T00:30:00Z', '2024-10-27T01:30:00Z',
    '2024-04-06T14:59:00Z', '2024-04-06T15:01:00Z', // Lord Howe's half-hour DST ends
    '2024-10-05T15:59:00Z', '2024-10-05T16:01:00Z',
    '1970-01-01T00:00:00Z', '2000-02-29T23:59:59.999Z', '2038-01-19T03:14:08Z',
  ];
  const zones = [
    'America/New_York', 'Europe/London', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Asia/Kathmandu',
    'America/St_Johns', 'Pacific/Chatham', 'Europe/Berlin', 'America/Los_Angeles', 'Asia/Tokyo',
    'America/Sao_Paulo', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'UTC',
  ];
  const offsets = {};
  for (const zone of zones) {
    offsets[zone] = instants.map((i) => parts('en-US', { ...probe, timeZone: zone }, at(i)));
  }
  const dfns = zones.map((zone) => parts('en-US', { ...dfnsProbe, timeZone: zone }, at('2024-07-01T12:00:00Z')));

  const names = {};
  for (const style of ['short', 'long', 'shortOffset', 'longOffset', 'shortGeneric', 'longGeneric']) {
    // (Generic names of Europe/London and UTC differ: see intl.js.)
    const generic = style.endsWith('Generic');
    names[style] = ['America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Europe/Paris', 'America/Los_Angeles']
      .concat(generic ? [] : ['Europe/London', 'UTC'])
      .map((zone) => ['2024-01-15T12:00:00Z', '2024-07-15T12:00:00Z'].map((i) =>
        parts('en-US', { timeZone: zone, timeZoneName: style, hour: 'numeric', minute: '2-digit' }, at(i))));
  }
  const localized = ['de', 'fr', 'ja', 'ru'].map((l) =>
    fmt(l, { timeZone: 'America/New_York', timeZoneName: 'long', hour: 'numeric', minute: 'numeric' }, at('2024-07-15T12:00:00Z')));

  const d = at('2024-03-10T06:30:05.123Z');
  const styles = {};
  for (const locale of ['en-US', 'en-GB', 'de', 'fr', 'it', 'nl', 'zh', 'ru']) {
    styles[locale] = ['full', 'long', 'medium', 'short'].map((s) =>
      fmt(locale, { dateStyle: s, timeStyle: s, timeZone: 'Europe/Paris' }, d));
  }
  const bags = [
    { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' },
    { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' },
    { month: 'long', day: 'numeric' }, { month: 'long', year: 'numeric' }, { weekday: 'short' },
    { month: 'short' }, { year: 'numeric' }, { hour: 'numeric' }, { hour: 'numeric', minute: 'numeric', hour12: false },
    { hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3, hourCycle: 'h23' },
    { year: '2-digit', month: '2-digit', day: '2-digit' }, { era: 'short', year: 'numeric' },
  ];
  const options = {};
  for (const locale of ['en-US', 'en-GB', 'es', 'ru', 'de']) {
    options[locale] = bags.map((b) => parts(locale, { ...b, timeZone: 'Asia/Tokyo' }, d));
  }
  const resolved = [
    new Intl.DateTimeFormat().resolvedOptions(),
    new Intl.DateTimeFormat('en-US', { timeZone: 'america/new_york', hour: 'numeric' }).resolvedOptions(),
    new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: 'US/Eastern' }).resolvedOptions(),
    new Intl.DateTimeFormat('de', { timeZone: 'Asia/Calcutta', hour: 'numeric', minute: 'numeric' }).resolvedOptions(),
  ];
  let invalid;
  try {
    new Intl.DateTimeFormat('en', { timeZone: 'Mars/Olympus_Mons' });
  } catch (e) {
    invalid = [e.name, e.message];
  }
  return {
    offsets, dfns, names, localized, styles, options, resolved, invalid,
    toLocale: [d.toLocaleString(), d.toLocaleDateString(), d.toLocaleTimeString(), d.toLocaleString('en-GB', { timeZone: 'Asia/Kolkata' }),
      d.toLocaleDateString('de-DE', { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' }), d.toLocaleTimeString('fr', { timeZone: 'Europe/Paris' }),
      new Date(NaN).toLocaleString()],
    supported: Intl.DateTimeFormat.supportedLocalesOf(['fr-CA', 'xx-YY', 'ja', 'pt-BR']),
  };
}

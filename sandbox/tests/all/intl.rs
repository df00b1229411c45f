//! `Intl` in the real guest: the ICU4X natives are wired and the formats
//! time-zone libraries depend on come out as Node 20 writes them. (The
//! detailed comparison with Node runs in `tests/sdk/cases/builtin-intl-*`.)

use serde_json::json;

use crate::support::*;

const INTL: &str = r#"
async function handleEvent() {
  const at = new Date('2024-03-10T07:30:00Z'); // New York has just sprung forward
  const probe = new Intl.DateTimeFormat('en-US', {
    hourCycle: 'h23', timeZone: 'America/New_York', year: 'numeric', month: 'numeric',
    day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', era: 'short',
  });
  const zone = (timeZone, timeZoneName) => new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName })
    .formatToParts(at).find((p) => p.type === 'timeZoneName').value;
  return {
    probe: probe.formatToParts(at).map((p) => p.value).join(''),
    zones: [zone('America/New_York', 'short'), zone('Asia/Kolkata', 'long'), zone('Australia/Lord_Howe', 'shortOffset')],
    resolved: [new Intl.DateTimeFormat().resolvedOptions().timeZone, new Intl.DateTimeFormat('en', { timeZone: 'asia/calcutta' }).resolvedOptions().timeZone],
    date: at.toLocaleString('de-DE', { timeZone: 'Europe/Berlin', dateStyle: 'long', timeStyle: 'short' }),
    number: [(1234567.891).toLocaleString(), new Intl.NumberFormat('de', { style: 'currency', currency: 'EUR' }).format(-1234.5)],
    plural: new Intl.PluralRules('en', { type: 'ordinal' }).select(22),
    relative: new Intl.RelativeTimeFormat('en', { numeric: 'auto' }).format(-1, 'day'),
    sorted: ['z', 'ä', 'a'].sort(new Intl.Collator('de').compare),
    words: [...new Intl.Segmenter('en', { granularity: 'word' }).segment('Hi, you!')].filter((s) => s.isWordLike).map((s) => s.segment),
  };
}
"#;

#[tokio::test]
async fn intl_works_in_the_guest() {
    let image = image(&handler(INTL)).await;
    let outcome = run(&image, json!({})).await;
    assert_eq!(
        result(&outcome),
        json!({
            "probe": "3/10/2024 AD, 03:30:00",
            "zones": ["EDT", "India Standard Time", "GMT+11"],
            "resolved": ["UTC", "Asia/Calcutta"],
            "date": "10. März 2024 um 08:30",
            "number": ["1,234,567.891", "-1.234,50\u{a0}€"],
            "plural": "two",
            "relative": "yesterday",
            "sorted": ["a", "ä", "z"],
            "words": ["Hi", "you"],
        })
    );
}

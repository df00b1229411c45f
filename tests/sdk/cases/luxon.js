// luxon (Intl): zones, DST, locales, durations, intervals, relative times.
const { DateTime, Duration, Interval, Info, Settings } = require('luxon');

async function handleEvent() {
  Settings.throwOnInvalid = false;
  const utc = DateTime.fromISO('2024-03-10T06:30:00Z', { zone: 'utc' });
  const ny = utc.setZone('America/New_York');
  const afterJump = ny.plus({ hours: 1 });
  const kolkata = DateTime.fromObject({ year: 2024, month: 12, day: 31, hour: 23, minute: 59 }, { zone: 'Asia/Kolkata' });
  return {
    ny: [ny.toISO(), ny.offsetNameShort, ny.isInDST, afterJump.toISO(), afterJump.offsetNameLong],
    formats: [
      ny.toFormat('cccc d LLLL yyyy, h:mm a ZZZZ'),
      ny.setLocale('de').toLocaleString(DateTime.DATETIME_FULL),
      ny.setLocale('ja-JP').toLocaleString(DateTime.DATE_HUGE),
      kolkata.setLocale('fr').toFormat('EEEE d MMMM yyyy HH:mm ZZ'),
    ],
    utcOfKolkata: kolkata.toUTC().toISO(),
    weekdays: Info.weekdays('short', { locale: 'es' }),
    months: Info.months('long', { locale: 'en-GB' }).slice(0, 3),
    zoneValid: [Info.isValidIANAZone('Europe/Paris'), Info.isValidIANAZone('Mars/Olympus')],
    duration: Duration.fromObject({ hours: 26, minutes: 90 }).shiftTo('days', 'hours', 'minutes').toObject(),
    human: Duration.fromObject({ days: 2, hours: 3 }).reconfigure({ locale: 'en' }).toHuman(),
    interval: Interval.fromDateTimes(utc, utc.plus({ days: 45 })).toDuration(['months', 'days']).toObject(),
    relative: [utc.toRelative({ base: utc.plus({ days: 3 }), locale: 'en' }), utc.toRelative({ base: utc.minus({ hours: 5 }), locale: 'de' })],
    invalid: DateTime.fromISO('2024-02-30').invalidReason,
    sydney: DateTime.fromISO('2024-04-07T02:30', { zone: 'Australia/Sydney' }).offset,
  };
}

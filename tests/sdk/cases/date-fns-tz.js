// date-fns-tz with date-fns 4: formatting and conversions in time zones.
const { formatInTimeZone, toZonedTime, fromZonedTime, getTimezoneOffset } = require('date-fns-tz');
const { addDays, differenceInCalendarDays, format, parseISO, formatDistanceStrict } = require('date-fns');
const { fr } = require('date-fns/locale');

async function handleEvent() {
  const instant = parseISO('2024-10-27T00:30:00Z');
  return {
    paris: formatInTimeZone(instant, 'Europe/Paris', "yyyy-MM-dd HH:mm:ss zzz (xxx)"),
    parisLater: formatInTimeZone(addDays(instant, 1), 'Europe/Paris', 'yyyy-MM-dd HH:mm zzzz'),
    tokyoFr: formatInTimeZone(instant, 'Asia/Tokyo', 'EEEE d MMMM yyyy HH:mm', { locale: fr }),
    fromZoned: fromZonedTime('2024-03-31 02:30:00', 'Europe/Berlin').toISOString(),
    fromNewYork: fromZonedTime('2024-07-04T09:00:00', 'America/New_York').toISOString(),
    zonedParts: format(toZonedTime(instant, 'America/Los_Angeles'), 'yyyy-MM-dd HH:mm'),
    offsets: ['UTC', 'Europe/London', 'Asia/Kathmandu', 'America/St_Johns'].map((z) => getTimezoneOffset(z, instant)),
    days: differenceInCalendarDays(parseISO('2024-03-01'), parseISO('2024-02-01')),
    distance: formatDistanceStrict(parseISO('2024-01-01'), parseISO('2024-03-15'), { locale: fr }),
  };
}

// dayjs with its utc, timezone, advancedFormat and relativeTime plugins
// (Intl time zones).
const dayjs = require('dayjs');
dayjs.extend(require('dayjs/plugin/utc'));
dayjs.extend(require('dayjs/plugin/timezone'));
dayjs.extend(require('dayjs/plugin/advancedFormat'));
dayjs.extend(require('dayjs/plugin/relativeTime'));

async function handleEvent() {
  const la = dayjs.tz('2024-03-10 12:00', 'America/Los_Angeles');
  return {
    la: la.format(),
    tokyo: la.tz('Asia/Tokyo').format('YYYY-MM-DD HH:mm Z z'),
    utc: la.utc().format(),
    beforeDst: dayjs.tz('2024-03-10 01:30', 'America/Los_Angeles').format('HH:mm Z'),
    afterDst: dayjs.tz('2024-03-10 01:30', 'America/Los_Angeles').add(1, 'hour').format('HH:mm Z'),
    offset: dayjs.utc('2024-07-01T00:00:00Z').tz('Europe/London').utcOffset(),
    advanced: dayjs.utc('2024-01-05T10:00:00Z').format('Qo Do X x'),
    relative: dayjs('2024-01-01').from(dayjs('2024-03-01')),
  };
}

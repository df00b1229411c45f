// qs: nested query strings both ways.
const qs = require('qs');

async function handleEvent() {
  const object = { user: { name: 'Ada Lovelace', roles: ['admin', 'dev'] }, page: 2, q: 'a&b=c', empty: '', nil: null };
  return {
    default: qs.stringify(object),
    brackets: qs.stringify(object, { arrayFormat: 'brackets', encodeValuesOnly: true }),
    dots: qs.stringify(object, { allowDots: true, skipNulls: true }),
    parsed: qs.parse('user[name]=Ada&user[roles][]=admin&user[roles][]=dev&a[1]=x&a[0]=y&deep[a][b][c]=1&q=a%26b%3Dc'),
    dotsParsed: qs.parse('a.b.c=1&list=1,2', { allowDots: true, comma: true }),
    limited: qs.parse('a=1&b=2&c=3', { parameterLimit: 2 }),
  };
}

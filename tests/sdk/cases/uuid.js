// uuid: name-based ids, validation, parsing, and the shapes of random and
// time-based ids.
const uuid = require('uuid');

async function handleEvent() {
  const v4 = uuid.v4();
  const v7 = uuid.v7();
  return {
    v5: uuid.v5('hello', uuid.v5.DNS),
    v3: uuid.v3('https://example.com', uuid.v3.URL),
    v4: [uuid.validate(v4), uuid.version(v4), v4.length],
    v7: [uuid.validate(v7), uuid.version(v7)],
    v1: uuid.v1({ msecs: 1700000000000, nsecs: 0, clockseq: 0x1234, node: Uint8Array.of(1, 2, 3, 4, 5, 6) }),
    parsed: Array.from(uuid.parse('6ba7b810-9dad-11d1-80b4-00c04fd430c8')),
    stringified: uuid.stringify(Uint8Array.from({ length: 16 }, (_, i) => i * 16)),
    nilMax: [uuid.NIL, uuid.MAX],
    invalid: uuid.validate('not-a-uuid'),
  };
}

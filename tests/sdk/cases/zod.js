// zod 4: parsing, errors, transforms, JSON Schema.
const { z } = require('zod');

async function handleEvent() {
  const Message = z.object({
    id: z.uuid(),
    user: z.object({ name: z.string().min(2), email: z.email() }),
    tags: z.array(z.string()).max(3).default([]),
    sentAt: z.coerce.date(),
    kind: z.discriminatedUnion('type', [
      z.object({ type: z.literal('text'), body: z.string() }),
      z.object({ type: z.literal('image'), url: z.url() }),
    ]),
    score: z.number().int().positive().optional(),
  });
  const good = Message.safeParse({
    id: '123e4567-e89b-12d3-a456-426614174000',
    user: { name: 'Ada', email: 'ada@example.com' },
    sentAt: '2024-01-02T03:04:05Z',
    kind: { type: 'text', body: 'hi' },
  });
  const bad = Message.safeParse({
    id: 'nope',
    user: { name: 'A', email: 'not-an-email' },
    tags: ['a', 'b', 'c', 'd'],
    sentAt: 'never',
    kind: { type: 'video' },
    score: -1.5,
  });
  const Slug = z.string().trim().toLowerCase().transform((s) => s.replace(/\s+/g, '-')).pipe(z.string().regex(/^[a-z-]+$/));
  return {
    good: { success: good.success, tags: good.data.tags, sentAt: good.data.sentAt.toISOString() },
    issues: bad.error.issues.map((i) => ({ path: i.path.join('.'), code: i.code })),
    pretty: z.prettifyError(bad.error),
    slug: Slug.parse('  Hello Big World '),
    jsonSchema: z.toJSONSchema(z.object({ name: z.string().min(1), age: z.number().int().optional() })),
  };
}

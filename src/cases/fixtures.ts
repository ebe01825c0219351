import type { Queryable } from '../store/index.js';

/**
 * Test and benchmark data: subscribers and attributed evidence inserted directly, as the attribution
 * module (src/attribution) leaves them (a row in `attributions`, off the attribution queue).
 */
export async function addSubscriber(
  db: Queryable,
  id: string,
  contact: { email?: string; postal?: string; name?: string } = { email: `${id}@example.jp` },
  language: 'ja' | 'en' = 'ja',
) {
  await db.query(
    `INSERT INTO subscribers (id, language, contact) VALUES ($1, $2, $3)
     ON CONFLICT (id) DO UPDATE SET contact = EXCLUDED.contact, language = EXCLUDED.language`,
    [id, language, JSON.stringify(contact)],
  );
}

export async function addEvidence(
  db: Queryable,
  e: {
    subscriber: string;
    seenAt: Date | string;
    addr?: string;
    family?: string;
    measure?: string;
    kind?: string;
  },
): Promise<number> {
  const measure = e.measure ?? 'notify-infected';
  const r = await db.query<{ id: string }>(
    `INSERT INTO evidence (measure, addr, port, seen_at, kind, family, source)
     VALUES ($1, $2, 40000, $3, $4, $5, 'test-sinkhole') RETURNING id`,
    [measure, e.addr ?? '198.51.100.7', e.seenAt, e.kind ?? 'sinkhole', e.family ?? null],
  );
  const id = r.rows[0].id;
  await db.query(`INSERT INTO attributions (evidence_id, subscriber_id, attributed_at) VALUES ($1, $2, $3)`, [
    id,
    e.subscriber,
    e.seenAt,
  ]);
  // By the queue's primary key (measure, evidence_id), as attribution itself dequeues.
  await db.query('DELETE FROM attribution_queue WHERE measure = $1 AND evidence_id = $2', [measure, id]);
  return Number(id);
}

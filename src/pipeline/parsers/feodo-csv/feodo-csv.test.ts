import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drain, getParser, linesOf, readLines } from '../../index.js';

const fixture = new URL('./fixture.csv', import.meta.url).pathname;
const parser = getParser('feodo-csv');

test('feodo-csv: C2 addresses with family and port; a bad address is reported by line', async () => {
  const { records, errors } = await drain(parser.parse(readLines(fixture)));
  assert.deepEqual(
    records.map((r) => [r.line, r.value, r.attributes.family]),
    [
      [10, '192.9.135.73', 'Pikabot'],
      [11, '85.239.243.155', 'Pikabot'],
      [13, '172.233.221.61', 'QakBot'],
    ],
  );
  assert.equal(errors.length, 1);
  assert.equal(errors[0].line, 12);
  assert.match(errors[0].reason, /dst_ip is not an IPv4 or IPv6 address/);
  const r = records[0];
  assert.equal(r.kind, 'ip');
  assert.equal(r.category, 'c2');
  assert.equal(r.attributes.port, 1194);
  assert.equal(r.attributes.status, 'online');
  assert.equal(r.seenAt?.toISOString(), '2023-05-23T17:51:44.000Z');
});

test('feodo-csv: a trailer that disagrees with the rows read (truncated feed) is reported', async () => {
  const text =
    '"first_seen_utc","dst_ip","dst_port","c2_status","last_online","malware"\n' +
    '"2024-01-01 00:00:00","192.0.2.1","443","online","2024-01-02","Emotet"\n# END 5 entries';
  const { records, errors } = await drain(parser.parse(linesOf(text)));
  assert.equal(records.length, 1);
  assert.deepEqual(
    errors.map((e) => e.line),
    [3],
  );
  assert.match(errors[0].reason, /trailer says 5 entries but 1 data lines were read/);
});

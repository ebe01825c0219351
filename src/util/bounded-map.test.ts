import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BoundedMap } from './bounded-map.js';

test('never holds more than max entries, and keeps the most recent ones', () => {
  for (const max of [1, 2, 3, 10, 101]) {
    const m = new BoundedMap<number, number>(max);
    for (let i = 0; i < 1000; i++) {
      m.set(i, i * 2);
      assert.ok(m.size <= max, `size ${m.size} > ${max}`);
    }
    assert.equal(m.get(999), 1998, `max ${max}: the newest entry is kept`);
    assert.equal(m.get(0), undefined);
    assert.ok(m.size >= Math.max(1, Math.floor(max / 2)), `max ${max}: keeps at least half`);
  }
});

test('an entry that is read survives eviction; one that is not is forgotten', () => {
  const m = new BoundedMap<string, number>(10);
  m.set('used', 1);
  m.set('unused', 2);
  for (let i = 0; i < 30; i++) {
    m.set(`k${i}`, i);
    assert.equal(m.get('used'), 1);
  }
  assert.equal(m.get('unused'), undefined);
});

test('set replaces, delete removes, clear empties, max 0 keeps nothing', () => {
  const m = new BoundedMap<string, number>(4);
  m.set('a', 1);
  m.set('b', 2); // 'a' and 'b' now in the old generation
  m.set('a', 3);
  assert.equal(m.get('a'), 3);
  assert.equal(m.size, 2, 'a replaced, not duplicated across generations');
  assert.equal(m.delete('b'), true);
  assert.equal(m.get('b'), undefined);
  m.clear();
  assert.equal(m.size, 0);
  const none = new BoundedMap<string, number>(0);
  none.set('x', 1);
  assert.equal(none.get('x'), undefined);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIPv6 } from '../../../src/core/ipv6.js';
import { formatPrefix } from '../../../src/core/rfc6052.js';
import { prefixesFromAnswers } from '../../../src/core/rfc7050.js';
import { readTsv } from '../helpers.js';

const rows = readTsv('rfc7050.tsv');

test('rfc7050.tsv has at least 12 cases with unique names', () => {
  assert.ok(rows.length >= 12);
  assert.equal(new Set(rows.map(({ cols }) => cols[0])).size, rows.length);
});

for (const { line, cols } of rows) {
  const [name = '', answers = '', expected = ''] = cols;
  test(`rfc7050.tsv:${line}: ${name}`, () => {
    const parsed = answers === '-' ? [] : answers.split(',').map((text) => {
      const address = parseIPv6(text);
      assert.notEqual(address, undefined, text);
      return address as Uint8Array;
    });
    const found = prefixesFromAnswers(parsed).map(formatPrefix);
    assert.equal(found.length === 0 ? '-' : found.join(','), expected);
  });
}

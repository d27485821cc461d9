import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Config, parseConfig } from '../../../src/core/config.js';
import { decide, Reason } from '../../../src/core/decide.js';
import { parseIPv4 } from '../../../src/core/ipv4.js';
import { formatPrefix, parsePrefix, PREFIX_LENGTHS } from '../../../src/core/rfc6052.js';
import { readTsv, TESTDATA } from '../helpers.js';

function config(name: string): Config {
  if (name === '-') return { locals: [], paths: [] };
  const path = join(TESTDATA, 'config', 'valid', name);
  const result = parseConfig(readFileSync(path, 'utf8'), path);
  assert.ok(result.ok, `${name} must be valid`);
  return result.config;
}

const rows = readTsv('decisions.tsv');

test('decisions.tsv: at least 40 rows covering every reason, every length, method pairs consistent', () => {
  assert.ok(rows.length >= 40, `${rows.length} rows`);
  const reasons = new Set(rows.map(({ cols }) => cols[4]));
  for (const reason of ['loopback', 'special', 'local', 'path', 'default', 'no-prefix', 'wkp-nonglobal'] satisfies Reason[]) assert.ok(reasons.has(reason), reason);
  const lengths = new Set(rows.filter(({ cols }) => cols[5] !== '-').map(({ cols }) => Number(cols[5]?.split('/')[1])));
  for (const length of PREFIX_LENGTHS) assert.ok(lengths.has(length), `/${length}`);
  for (const { line, cols } of rows) {
    assert.equal(cols.length, 7, `line ${line}: 7 columns`);
    assert.equal(cols[3] === 'nat64', cols[5] !== '-' && cols[6] !== '-', `line ${line}: nat64 rows and only they have a prefix and address`);
  }
});

for (const { line, cols } of rows) {
  const [file = '', defaultText = '', dest = '', method, reason, prefix, address] = cols;
  test(`decisions.tsv:${line}: ${file} ${defaultText} ${dest} -> ${method} ${reason} ${prefix} ${address}`, () => {
    const cfg = config(file);
    let defaultPrefix = cfg.prefix;
    if (defaultText !== '-') {
      const parsed = parsePrefix(defaultText);
      assert.ok('prefix' in parsed);
      defaultPrefix = parsed.prefix;
    }
    const [host = '', port = ''] = dest.split(':');
    const decision = decide(cfg, defaultPrefix, { address: parseIPv4(host) as number, port: Number(port) });
    assert.deepEqual(
      [decision.method, decision.reason, decision.prefix ? formatPrefix(decision.prefix) : '-', decision.synthesized ?? '-'],
      [method, reason, prefix, address],
    );
  });
}

test('explanations name the rule that decided and what happens at run time', () => {
  const cfg = config('decisions.conf');
  const at = (dest: string, port: number) => decide(cfg, cfg.prefix, { address: parseIPv4(dest) as number, port });
  assert.match(at('150.0.0.1', 80).explanation, /path subnet 150\.0\.0\.0\/16 ports 80-1024 \(path at line 7\).*2001:db8:aaaa::\/96.*\[2001:db8:aaaa::9600:1\]:80/);
  assert.match(at('150.0.5.5', 80).explanation, /local net 150\.0\.5\.0\/24/);
  assert.match(at('198.51.100.1', 443).explanation, /not a global address.*RFC 6052/);
  assert.match(at('1.1.1.1', 443).runtime, /falls? back|over IPv4/);
  assert.match(at('127.0.0.1', 1).explanation, /loopback/);
  assert.match(decide({ locals: [], paths: [] }, undefined, { address: 0x08080808, port: 80 }).explanation, /TNAT64_PREFIX/);
});

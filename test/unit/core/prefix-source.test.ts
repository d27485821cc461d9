import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../../src/core/config.js';
import { discover, Discovery } from '../../../src/core/discover.js';
import { effectivePrefix, staticPrefix } from '../../../src/core/prefix-source.js';
import { Decider } from '../../../src/core/resolve-decision.js';
import { formatPrefix, parsePrefix, Prefix } from '../../../src/core/rfc6052.js';
import { dnsError, fakeResolver, readTsv } from '../helpers.js';

const configWith = (text: string) => {
  const result = parseConfig(text, 'test.conf');
  assert.ok(result.ok);
  return result.config;
};
const withPrefix = configWith('nat64_prefix = 2001:db8:100::/40\npath {\nsubnet = 150.0.0.0/16\nnat64_prefix = 2001:db8:aaaa::\n}\n');
const empty = configWith('');
const prefixOf = (text: string): Prefix => {
  const parsed = parsePrefix(text);
  assert.ok('prefix' in parsed, text);
  return parsed.prefix;
};
const dns64 = () => fakeResolver(['2001:db8::53'], [{ address: '2001:db8:122:344::c000:aa', ttl: 60 }]);

test('TNAT64_PREFIX wins over the file, the file over discovery', async () => {
  let asked = 0;
  const counted = () => {
    asked++;
    return discover(dns64(), () => undefined);
  };
  const env = await effectivePrefix({ TNAT64_PREFIX: '64:ff9b::/96' }, withPrefix, counted);
  assert.deepEqual([env.origin, formatPrefix(env.prefix!)], ['env', '64:ff9b::/96']);
  assert.match(env.detail, /from TNAT64_PREFIX \(overriding the file's 2001:db8:100::\/40\)/);
  const file = await effectivePrefix({}, withPrefix, counted);
  assert.deepEqual([file.origin, formatPrefix(file.prefix!)], ['config', '2001:db8:100::/40']);
  assert.equal(asked, 0, 'no discovery when env or file gives a prefix');
  const found = await effectivePrefix({}, empty, counted);
  assert.deepEqual([found.origin, formatPrefix(found.prefix!)], ['discovery', '2001:db8:122:344::/96']);
  assert.equal(asked, 1);
});

test('an invalid TNAT64_PREFIX is ignored, and said so', async () => {
  const source = await effectivePrefix({ TNAT64_PREFIX: '2001:db8::/33' }, withPrefix, () => discover(dns64(), () => undefined));
  assert.equal(source.origin, 'config');
  assert.match(source.envProblem ?? '', /TNAT64_PREFIX="2001:db8::\/33" is ignored: prefix length 33/);
  assert.equal(staticPrefix({ TNAT64_PREFIX: '' }, empty).origin, 'none', 'empty means unset');
  assert.match(staticPrefix({ TNAT64_PREFIX: ' 64:ff9b::' }, empty).envProblem ?? '', /is ignored/, 'taken as it is, like the library does');
  assert.equal(staticPrefix({ TNAT64_PREFIX: '64:ff9b::' }, empty).prefix?.length, 96);
});

test('TNAT64_DISCOVERY=0 disables discovery; no DNS64 means no prefix', async () => {
  let asked = 0;
  const off = await effectivePrefix({ TNAT64_DISCOVERY: '0' }, empty, () => {
    asked++;
    return discover(dns64(), () => undefined);
  });
  assert.deepEqual([off.origin, off.prefix, asked], ['none', undefined, 0]);
  assert.match(off.detail, /TNAT64_DISCOVERY=0/);
  const none = await effectivePrefix({}, empty, () => discover(fakeResolver(['2001:db8::53'], dnsError('ENODATA')), () => undefined));
  assert.equal(none.origin, 'none');
  assert.match(none.detail, /no DNS64/);
});

test('Decider runs discovery only for a destination that needs the default prefix, once', async () => {
  let asked = 0;
  const decider = new Decider({}, configWith('local = 10.0.0.0/8\npath {\nsubnet = 150.0.0.0/16\nnat64_prefix = 2001:db8:aaaa::\n}\n'), () => {
    asked++;
    return discover(dns64(), () => undefined);
  });
  assert.equal((await decider.decide(0x0a000001, 80)).reason, 'local');
  assert.equal((await decider.decide(0x96000001, 80)).reason, 'path');
  assert.equal((await decider.decide(0x7f000001, 80)).reason, 'loopback');
  assert.equal(asked, 0);
  assert.equal((await decider.prefixSource()).lookedUp, false);
  const viaDefault = await decider.decide(0x08080808, 53);
  assert.deepEqual([viaDefault.reason, viaDefault.synthesized], ['default', '2001:db8:122:344::808:808']);
  await decider.decide(0x01010101, 53);
  assert.equal(asked, 1);
  const { source, lookedUp } = await decider.prefixSource();
  assert.deepEqual([source.origin, lookedUp], ['discovery', true]);
});

test('testdata/prefix-order.tsv: the order of the sources, as the library applies it', async () => {
  const rows = readTsv('prefix-order.tsv');
  assert.ok(rows.length > 0);
  for (const { line, cols } of rows) {
    const [envText, fileText, discovery, pref64, discovered, expected, origin] = cols as [string, string, string, string, string, string, string];
    const env: NodeJS.ProcessEnv = {};
    if (envText !== '-') env.TNAT64_PREFIX = envText;
    if (discovery !== '-') env.TNAT64_DISCOVERY = discovery;
    const config = configWith(fileText === '-' ? '' : `nat64_prefix = ${fileText}\n`);
    const asked = { pref64: 0, discovery: 0 };
    const cacheEntry = pref64 === '-' ? undefined : { prefix: prefixOf(pref64), expires: 4_000_000_000 };
    const readPref64 = () => {
      asked.pref64++;
      return cacheEntry
        ? { entry: cacheEntry, cache: { status: 'ok' as const, file: '/run/tnat64/pref64', entries: [cacheEntry] } }
        : { cache: { status: 'absent' as const, file: '/run/tnat64/pref64' } };
    };
    const discover = async (): Promise<Discovery> => {
      asked.discovery++;
      return { status: discovered === '-' ? 'no-dns64' : 'found', prefixes: discovered === '-' ? [] : [prefixOf(discovered)], resolvers: [], answers: [], message: 'vector', warnings: [] } as Discovery;
    };
    const source = await effectivePrefix(env, config, discover, readPref64);
    const got = source.prefix ? formatPrefix(source.prefix) : '-';
    assert.deepEqual([got, source.origin], [expected, origin], `prefix-order.tsv:${line}`);
    const learn = discovery !== '0';
    const none = origin === 'none' && learn;
    assert.deepEqual(
      [asked.pref64, asked.discovery],
      [origin === 'pref64' || origin === 'discovery' || none ? 1 : 0, origin === 'discovery' || none ? 1 : 0],
      `prefix-order.tsv:${line}: the learned sources are asked only when needed`,
    );
  }
});

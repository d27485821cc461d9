import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Config, parseConfig } from '../../../src/core/config.js';
import { decide } from '../../../src/core/decide.js';
import { Discovery } from '../../../src/core/discover.js';
import { formatNet, parseIPv4 } from '../../../src/core/ipv4.js';
import { parsePrefix, Prefix } from '../../../src/core/rfc6052.js';
import { Decider } from '../../../src/core/resolve-decision.js';
import { decisionJson } from '../../../src/cli/report.js';
import { standinRange, withStandin } from '../../../src/core/standin.js';

function conf(text: string): Config {
  const result = parseConfig(text, 'test.conf');
  assert.ok(result.ok);
  return result.config;
}

const ip = (text: string) => parseIPv4(text) ?? assert.fail(text);
function prefixOf(text: string): Prefix {
  const parsed = parsePrefix(text);
  return 'prefix' in parsed ? parsed.prefix : assert.fail(text);
}
const noDiscovery = (): Promise<Discovery> => assert.fail('discovery must not run');

test('the stand-in range: TNAT64_STANDIN_POOL, else standin_pool, else 198.19.0.0/16; an invalid variable is ignored', () => {
  const file = conf('standin_pool = 198.18.0.0/24\n');
  assert.equal(formatNet(standinRange({}, { locals: [], paths: [] }).net), '198.19.0.0/16');
  assert.equal(standinRange({}, { locals: [], paths: [] }).origin, 'default');
  assert.equal(formatNet(standinRange({}, file).net), '198.18.0.0/24');
  assert.equal(standinRange({}, file).origin, 'file');
  const env = standinRange({ TNAT64_STANDIN_POOL: '10.64.0.4/30' }, file);
  assert.deepEqual([formatNet(env.net), env.origin, env.envProblem], ['10.64.0.4/30', 'env', undefined]);
  const bad = standinRange({ TNAT64_STANDIN_POOL: '10.64.0.5/30' }, file);
  assert.deepEqual([formatNet(bad.net), bad.origin], ['198.18.0.0/24', 'file']);
  assert.match(bad.envProblem ?? '', /TNAT64_STANDIN_POOL=10\.64\.0\.5\/30 .*standin-pool-host-bits/);
});

test('withStandin: an address outside the range keeps its decision untouched', () => {
  const ordinary = decide({ locals: [], paths: [] }, prefixOf('64:ff9b::/96'), { address: ip('8.8.8.8'), port: 53 });
  assert.equal(withStandin(ordinary, ip('8.8.8.8'), standinRange({}, { locals: [], paths: [] })), ordinary);
});

test('withStandin: inside the range, a possible stand-in; the first address fails with EHOSTUNREACH; the last is ordinary', () => {
  const range = standinRange({ TNAT64_STANDIN_POOL: '10.64.0.0/24' }, { locals: [], paths: [] });
  const prefix = prefixOf('2001:db8:64::/96');
  const at = (text: string) => withStandin(decide({ locals: [], paths: [] }, prefix, { address: ip(text), port: 80 }), ip(text), range);
  const inUse = at('10.64.0.7');
  assert.equal(inUse.standin?.role, 'standin');
  assert.equal(inUse.method, 'nat64', 'the ordinary decision is kept for when it is no stand-in');
  assert.match(inUse.explanation, /stand-in range 10\.64\.0\.0\/24 \(from TNAT64_STANDIN_POOL\).*IPv6 address.*otherwise it is an ordinary IPv4 destination/);
  assert.match(inUse.runtime, /^for a stand-in in use: the connect goes to the IPv6 address/);
  const first = at('10.64.0.0');
  assert.equal(first.standin?.role, 'full');
  assert.equal(first.runtime, 'at run time the connect fails with EHOSTUNREACH');
  const last = at('10.64.0.255');
  assert.equal(last.standin?.role, 'never');
  assert.equal(last.runtime, decide({ locals: [], paths: [] }, prefix, { address: ip('10.64.0.255'), port: 80 }).runtime);
  assert.equal(at('10.64.1.0').standin, undefined);
});

test('the Decider (check, explain) applies the range the library would use', async () => {
  const decider = new Decider({ TNAT64_PREFIX: '64:ff9b::/96' }, conf('standin_pool = 198.18.0.0/24\n'), noDiscovery);
  assert.equal((await decider.decide(ip('198.18.0.9'), 80)).standin?.role, 'standin');
  assert.equal((await decider.decide(ip('198.19.0.9'), 80)).standin, undefined, 'the default range no longer applies');
  const byDefault = new Decider({ TNAT64_PREFIX: '64:ff9b::/96' }, { locals: [], paths: [] }, noDiscovery);
  const d = await byDefault.decide(ip('198.19.0.7'), 80);
  assert.deepEqual([d.method, d.reason, d.standin?.role], ['ipv4', 'wkp-nonglobal', 'standin']);
});

test('explain --json carries the stand-in role (null outside the range)', async () => {
  const decider = new Decider({ TNAT64_PREFIX: '64:ff9b::/96', TNAT64_STANDIN_POOL: '10.64.0.0/24' }, { locals: [], paths: [] }, noDiscovery);
  const json = (text: string) => decider.decide(ip(text), 80).then((d) => decisionJson(ip(text), 80, d).standin);
  assert.deepEqual(await json('10.64.0.9'), { range: '10.64.0.0/24', origin: 'env', role: 'standin' });
  assert.deepEqual(await json('10.64.0.0'), { range: '10.64.0.0/24', origin: 'env', role: 'full' });
  assert.equal(await json('198.19.0.9'), null);
});

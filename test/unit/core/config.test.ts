import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, dump, formatError, MAX_CONFIG_BYTES, parseConfig, parseStandinPool } from '../../../src/core/config.js';
import { loadConfig } from '../../../src/core/config-file.js';
import { TESTDATA } from '../helpers.js';

const ALL_CODES = [
  'bad-prefix', 'bad-prefix-length', 'prefix-host-bits', 'prefix-u-octet', 'bad-net', 'bad-mask', 'net-host-bits', 'bad-port',
  'unknown-key', 'missing-equals', 'duplicate-prefix', 'path-no-subnet', 'path-no-prefix', 'path-duplicate-prefix', 'nested-path',
  'unexpected-close', 'unclosed-path', 'missing-value', 'bad-standin-pool', 'standin-pool-host-bits', 'standin-pool-reserved',
  'duplicate-standin-pool', 'nul-byte',
];

for (const kind of ['valid', 'invalid'] as const) {
  const dir = join(TESTDATA, 'config', kind);
  const files = readdirSync(dir).filter((name) => name.endsWith('.conf')).sort();
  test(`config/${kind} has enough vectors, each with its .expect`, () => {
    assert.ok(files.length >= 10, `${files.length} files`);
    for (const name of files) assert.ok(readdirSync(dir).includes(name.replace(/\.conf$/, '.expect')), name);
  });
  for (const name of files) {
    test(`config/${kind}/${name} dumps as its .expect`, () => {
      const path = join(dir, name);
      const result = parseConfig(readFileSync(path, 'utf8'), path);
      assert.equal(result.ok, kind === 'valid', JSON.stringify(result.ok ? result.config : result.errors));
      assert.equal(dump(result), readFileSync(path.replace(/\.conf$/, '.expect'), 'utf8'));
      if (!result.ok) for (const error of result.errors) assert.equal(error.file, path);
    });
  }
}

test('config/invalid covers every line-level error code', () => {
  const dir = join(TESTDATA, 'config', 'invalid');
  const seen = new Set(readdirSync(dir).filter((n) => n.endsWith('.expect')).map((n) => readFileSync(join(dir, n), 'utf8').split(' ')[2]?.trim()));
  for (const code of ALL_CODES) assert.ok(seen.has(code), code);
});

function errorsOf(text: string, file = '/etc/tnat64.conf'): ConfigError[] {
  const result = parseConfig(text, file);
  assert.equal(result.ok, false);
  return result.ok ? [] : result.errors;
}

test('an error names the file and line, quotes the offending text and says what was expected', () => {
  const [error] = errorsOf('# comment\nlocal = 10.0.0.0/8\nnat64_prefix = 2001:db8::/33   # too long\n');
  assert.deepEqual(error, {
    file: '/etc/tnat64.conf',
    line: 3,
    code: 'bad-prefix-length',
    text: 'nat64_prefix = 2001:db8::/33',
    message: 'prefix length 33 is not one of 32, 40, 48, 56, 64, 96',
  });
  assert.equal(formatError(error!), '/etc/tnat64.conf:3: "nat64_prefix = 2001:db8::/33": prefix length 33 is not one of 32, 40, 48, 56, 64, 96');
});

test('messages say what was expected', () => {
  const message = (text: string) => errorsOf(text)[0]?.message ?? '';
  assert.match(message('local = 10.0.0.1/8\n'), /host bits set for \/8; expected 10\.0\.0\.0\/8/);
  assert.match(message('local = 10.0.0.0/255.0.255.0\n'), /not a contiguous dotted mask.*expected/);
  assert.match(message('local = 10.0.0.0\n'), /missing "\/MASK"; expected a\.b\.c\.d\/MASK/);
  assert.match(message('local = 10.0.0.0:80/8\n'), /local net takes no port/);
  assert.match(message('path {\nsubnet = 1.0.0.0:9-8/8\nnat64_prefix = 64:ff9b::\n}\n'), /port range 9-8 is empty; expected LOW-HIGH with LOW <= HIGH/);
  assert.match(message('server = 1.2.3.4\n'), /"server" is not a keyword; expected nat64_prefix, local, ipv4_identity or standin_pool at top level or "path \{"/);
  assert.match(message('subnet = 1.0.0.0/8\n'), /"subnet" belongs inside "path \{ \}"/);
  assert.match(message('nat64_prefix 64:ff9b::\n'), /expected "nat64_prefix = VALUE"/);
  assert.match(message('path {\nnat64_prefix = 64:ff9b::\n}\n'), /path opened at line 1 has no subnet/);
  assert.match(message('path {\nsubnet = 1.0.0.0/8\n'), /file ends inside the path opened at line 1; expected "}"/);
  assert.match(message('}\n'), /no path is open here/);
  assert.match(message('nat64_prefix = 64:ff9b::\nnat64_prefix = 64:ff9b::\n'), /already set above/);
  assert.match(message('nat64_prefix = 2001:db8:0:0:100::\n'), /u-octet/);
  assert.equal(message('local = 10.0.0.0/8\nnat64_prefix =   # nothing\n'), 'no value after "="; expected "nat64_prefix = VALUE"');
});

test('all errors are collected in reading order; the dump shows the first', () => {
  const errors = errorsOf('local = 10.0.0.1/8\nfoo = bar\npath {\n  subnet = 1.0.0.0/8\n');
  assert.deepEqual(errors.map((e) => [e.line, e.code]), [[1, 'net-host-bits'], [2, 'unknown-key'], [3, 'unclosed-path']]);
  assert.equal(errors[2]?.text, 'path {');
});

test('a path missing both subnet and prefix reports both at its closing line', () => {
  assert.deepEqual(errorsOf('path {\n}\n').map((e) => [e.line, e.code]), [[2, 'path-no-subnet'], [2, 'path-no-prefix']]);
});

test('loadConfig: -f, then TNAT64_CONF_FILE, then /etc/tnat64.conf; absent, unreadable, too large', () => {
  const files: Record<string, Uint8Array> = {
    '/etc/tnat64.conf': Buffer.from('nat64_prefix = 64:ff9b::\n'),
    '/x.conf': Buffer.from('local = 10.0.0.0/8\n'),
    '/big.conf': Buffer.alloc(MAX_CONFIG_BYTES + 1, 0x23),
    '/limit.conf': Buffer.alloc(MAX_CONFIG_BYTES, 0x23),
  };
  const read = (path: string) => {
    const bytes = files[path];
    if (bytes) return bytes;
    if (path === '/dir') throw Object.assign(new Error('EISDIR: illegal operation on a directory, read'), { code: 'EISDIR' });
    if (path === '/secret') throw Object.assign(new Error("EACCES: permission denied, open '/secret'"), { code: 'EACCES' });
    throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
  };
  const def = loadConfig(read, {});
  assert.equal(def.file, '/etc/tnat64.conf');
  assert.equal(def.from, 'default');
  assert.equal(def.status, 'ok');
  assert.equal(def.config.prefix?.length, 96);
  const env = loadConfig(read, { TNAT64_CONF_FILE: '/x.conf' });
  assert.deepEqual([env.file, env.from, env.status, env.config.locals.length], ['/x.conf', 'env', 'ok', 1]);
  const option = loadConfig(read, { TNAT64_CONF_FILE: '/x.conf' }, '/etc/tnat64.conf');
  assert.deepEqual([option.file, option.from], ['/etc/tnat64.conf', 'option']);
  const absent = loadConfig(read, { TNAT64_CONF_FILE: '/nope.conf' });
  assert.deepEqual([absent.status, absent.errors, absent.config], ['absent', [], { locals: [], paths: [] }]);
  const big = loadConfig(read, {}, '/big.conf');
  assert.deepEqual([big.status, big.errors[0]?.code, big.errors[0]?.line], ['invalid', 'file-too-large', 0]);
  assert.equal(loadConfig(read, {}, '/limit.conf').status, 'ok');
  const dir = loadConfig(read, {}, '/dir');
  assert.deepEqual([dir.status, dir.errors[0]?.code], ['invalid', 'unreadable']);
  assert.equal(formatError(dir.errors[0]!), '/dir: cannot read the file: it is a directory; expected a readable text file');
  assert.equal(loadConfig(read, {}, '/secret').errors[0]?.code, 'unreadable');
});

test('an invalid file is not half-applied: the configuration in effect is empty', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tnat64-conf-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'tnat64.conf');
  writeFileSync(path, 'nat64_prefix = 64:ff9b::\nlocal = 10.0.0.0/8\nlocal = 10.0.0.1/8\n');
  const loaded = loadConfig((p) => readFileSync(p), { TNAT64_CONF_FILE: path });
  assert.equal(loaded.status, 'invalid');
  assert.deepEqual(loaded.config, { locals: [], paths: [] });
  assert.equal(formatError(loaded.errors[0]!), `${path}:3: "local = 10.0.0.1/8": 10.0.0.1 has host bits set for /8; expected 10.0.0.0/8`);
});

test('standin_pool: LEN 16-30, the range\'s first address, not 0/8, 127/8 or 224/3', () => {
  const ok = (text: string) => {
    const parsed = parseStandinPool(text);
    return 'net' in parsed ? `${parsed.net.address}/${parsed.net.length}` : parsed.code;
  };
  assert.equal(ok('198.19.0.0/16'), `${0xc6130000}/16`);
  assert.equal(ok('10.64.0.4/30'), `${0x0a400004}/30`);
  assert.equal(ok('198.18.0.0/15'), 'bad-standin-pool');
  assert.equal(ok('198.19.0.0/31'), 'bad-standin-pool');
  assert.equal(ok('198.19.0.0/255.255.0.0'), 'bad-standin-pool');
  assert.equal(ok('198.19.0.0/016'), 'bad-standin-pool');
  assert.equal(ok('198.19.0.0/'), 'bad-standin-pool');
  assert.equal(ok('198.19.0.0'), 'bad-standin-pool');
  assert.equal(ok('198.19.0.4/29'), 'standin-pool-host-bits');
  assert.equal(ok('198.19.0.8/29'), `${0xc6130008}/29`);
  assert.equal(ok('0.1.0.0/16'), 'standin-pool-reserved');
  assert.equal(ok('127.255.0.0/16'), 'standin-pool-reserved');
  assert.equal(ok('223.255.255.252/30'), `${0xdffffffc}/30`);
  assert.equal(ok('224.0.0.0/16'), 'standin-pool-reserved');
  assert.equal(ok('255.255.255.252/30'), 'standin-pool-reserved');
});

test('standin_pool errors say what was expected and how to fix it', () => {
  const [hostBits] = errorsOf('local = 10.0.0.0/8\nstandin_pool = 198.19.0.1/16\n');
  assert.equal(
    formatError(hostBits!),
    '/etc/tnat64.conf:2: "standin_pool = 198.19.0.1/16": 198.19.0.1 has bits set after /16; expected no bits set after LEN ' +
      '(the range\'s first address, e.g. 198.19.0.0/16, not 198.19.0.1/16)',
  );
  const [length] = errorsOf('standin_pool = 198.19.0.0/8\n');
  assert.match(length!.message, /expected a\.b\.c\.d\/LEN with LEN 16-30, e\.g\. 198\.19\.0\.0\/16/);
  const errors = errorsOf('standin_pool = 198.19.0.0/24\nstandin_pool = 198.20.0.0/24\n');
  assert.deepEqual(errors.map((e) => [e.line, e.code]), [[2, 'duplicate-standin-pool']]);
  const [inPath] = errorsOf('path {\nstandin_pool = 198.19.0.0/16\n}\n');
  assert.match(inPath!.message, /"standin_pool" belongs at top level/);
});

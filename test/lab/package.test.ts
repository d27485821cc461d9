/**
 * The npm package: `npm pack` (its prepack builds the prebuilt libraries), installed into an empty directory and used
 * with no C compiler on PATH, runs an IPv4-only program through the lab's NAT64; the arm64 library is an aarch64 ELF;
 * the musl library, preloaded into a program linked against musl, carries its connection through NAT64.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/lab/exec.js';
import { PATHS, SERVER_IPV4, type Lab } from '../../src/lab/lab.js';
import { HTTP_BODY, PORTS } from '../../src/lab/services.js';
import { libraryVersion, packageVersion } from '../../src/core/library.js';
import { requireBuilt, requireTools, show, useLab } from '../../src/lab/testing.js';

let lab: Lab;
let env: NodeJS.ProcessEnv;
useLab({}, (s) => ({ lab, env } = s));

let scratch = '';
/** The installed package (node_modules/tnat64 of a fresh project). */
let installed = '';
/** PATH with the installed bin and the few programs the tests run, and no compiler. */
let bare = '';

/** The programs a machine without a compiler still has, and that these tests use. */
const TOOLS = ['sh', 'bash', 'node', 'npm', 'env', 'readlink', 'uname', 'tr', 'grep', 'sed', 'ldd', 'cat', 'curl', 'ls'];
const COMPILERS = ['cc', 'gcc', 'c99', 'clang', 'tcc', 'musl-gcc', 'aarch64-linux-gnu-gcc', 'x86_64-linux-gnu-gcc'];

before(async () => {
  await requireTools('npm', 'readelf', 'musl-gcc', 'curl', ...TOOLS);
  requireBuilt();
  scratch = mkdtempSync(join(tmpdir(), 'tnat64-package-'));
  const tools = join(scratch, 'tools');
  mkdirSync(tools);
  for (const tool of TOOLS) {
    const where = await run(['sh', '-c', 'command -v "$1"', 'sh', tool]);
    symlinkSync(realpathSync(where.stdout.trim()), join(tools, tool));
  }
  // npm is a script that finds its own files next to its real path; node must be on PATH for its #! line.
  bare = `${join(scratch, 'app', 'node_modules', '.bin')}:${tools}`;
});

after(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test('npm pack, then npm install into an empty directory with no C compiler on PATH', { timeout: 240_000 }, async () => {
  const pack = await run(['npm', 'pack', '--pack-destination', scratch], { cwd: PATHS.repo, timeoutMs: 180_000 });
  assert.equal(pack.code, 0, show(pack));
  const tarballs = readdirSync(scratch).filter((f) => f.endsWith('.tgz'));
  assert.deepEqual(tarballs, [`tnat64-${packageVersion}.tgz`]);
  const list = await run(['tar', '-tzf', join(scratch, tarballs[0]!)]);
  const files = list.stdout.split('\n');
  for (const platform of ['linux-x64-gnu', 'linux-arm64-gnu', 'linux-x64-musl']) {
    assert.ok(files.includes(`package/prebuilt/${platform}/libtnat64.so`), platform);
    assert.ok(files.includes(`package/prebuilt/${platform}/tnat64-seccomp`), `${platform}: the seccomp engine`);
  }
  assert.ok(files.includes('package/build/man/tnat64.1') && files.includes('package/build/completion/tnat64.bash'), 'man page, completion');
  assert.ok(!files.includes('package/build/libtnat64.so'), 'a build of the packing machine is not shipped: it would win over the prebuilt ones');

  const app = join(scratch, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), '{ "name": "app", "private": true }\n');
  const noCompiler = await run(['sh', '-c', `for c in ${COMPILERS.join(' ')}; do command -v "$c" && exit 1; done; exit 0`], { env: { PATH: bare } });
  assert.equal(noCompiler.code, 0, `a compiler is on the test PATH: ${noCompiler.stdout}`);
  const install = await run(['npm', 'install', '--offline', '--no-audit', '--no-fund', join(scratch, tarballs[0]!)], {
    cwd: app,
    env: { PATH: bare, HOME: scratch, npm_config_cache: join(scratch, 'npm-cache') },
    timeoutMs: 60_000,
  });
  assert.equal(install.code, 0, show(install));
  installed = join(app, 'node_modules', 'tnat64');
  assert.ok(!existsSync(join(installed, 'build', 'libtnat64.so')));

  const version = await run(['tnat64', '--version'], { env: { PATH: bare } });
  assert.deepEqual([version.code, version.stdout], [0, `tnat64 ${packageVersion}\n`], show(version));
  const preload = await run(['tnat64', 'sh', '-c', 'printf %s "$LD_PRELOAD"'], { env: { PATH: bare } });
  assert.deepEqual([preload.code, preload.stdout], [0, join(installed, 'prebuilt', 'linux-x64-gnu', 'libtnat64.so')], show(preload));
  const shellEnv = await run(['tnat64', 'env'], { env: { PATH: bare } });
  assert.equal(shellEnv.stdout, `LD_PRELOAD='${join(installed, 'prebuilt', 'linux-x64-gnu', 'libtnat64.so')}'; export LD_PRELOAD\n`, show(shellEnv));
});

test('the installed tnat64 runs curl through the lab\'s NAT64, no compiler on PATH', async (t) => {
  if (!installed) return t.skip('the package did not install');
  const script = `for c in ${COMPILERS.join(' ')}; do command -v "$c" && exit 99; done; exec tnat64 curl -sS --max-time 5 http://${SERVER_IPV4}/`;
  const without = await lab.run(['/usr/bin/env', `PATH=${join(scratch, 'tools')}`, 'sh', '-c', script.replace('exec tnat64 ', 'exec ')], { env });
  assert.equal(without.code, 7, `without tnat64 curl cannot connect: ${show(without)}`);
  const r = await lab.run(['/usr/bin/env', `PATH=${bare}`, 'sh', '-c', script], { env });
  assert.deepEqual([r.code, r.stdout], [0, HTTP_BODY], show(r));
  // A static program: the package's prebuilt seccomp engine.
  const bb = await lab.run(['/usr/bin/env', `PATH=${bare}`, 'tnat64', '/bin/busybox', 'wget', '-q', '-O-', `http://${SERVER_IPV4}/`], { env });
  assert.deepEqual([bb.code, bb.stdout], [0, HTTP_BODY], show(bb));
});

test('the arm64 library is an aarch64 ELF shared object of this version', async (t) => {
  if (!installed) return t.skip('the package did not install');
  const lib = join(installed, 'prebuilt', 'linux-arm64-gnu', 'libtnat64.so');
  const header = await run(['readelf', '-h', lib], { env: { PATH: process.env.PATH, LC_ALL: 'C' } });
  assert.match(header.stdout, /^\s*Class:\s+ELF64$/m);
  assert.match(header.stdout, /^\s*Type:\s+DYN/m);
  assert.match(header.stdout, /^\s*Machine:\s+AArch64$/m);
  assert.equal(libraryVersion(lib), packageVersion);
  const dynamic = await run(['readelf', '-d', lib], { env: { PATH: process.env.PATH, LC_ALL: 'C' } });
  assert.match(dynamic.stdout, /\(NEEDED\)\s+Shared library: \[libc\.so\.6\]/);
});

test('the musl library carries a musl program\'s connect through NAT64', async (t) => {
  if (!installed) return t.skip('the package did not install');
  const lib = join(installed, 'prebuilt', 'linux-x64-musl', 'libtnat64.so');
  assert.equal(libraryVersion(lib), packageVersion);
  const source = join(scratch, 'client.c');
  writeFileSync(
    source,
    `#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(${PORTS.echo}) }, peer;
	socklen_t len = sizeof peer;
	char buf[64] = "", ip[INET_ADDRSTRLEN];
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	ssize_t n;

	inet_pton(AF_INET, argv[1], &to.sin_addr);
	if (connect(fd, (struct sockaddr *)&to, sizeof to) != 0) {
		printf("connect: %s\\n", strerror(errno));
		return 1;
	}
	if (write(fd, "ping-musl", 9) != 9 || (n = read(fd, buf, sizeof buf - 1)) <= 0 ||
	    getpeername(fd, (struct sockaddr *)&peer, &len) != 0)
		return 2;
	printf("%s %s:%d family=%s\\n", buf, inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof ip), ntohs(peer.sin_port),
	       peer.sin_family == AF_INET ? "inet" : "other");
	if (argc > 2)
		printf("%s\\n", getenv("LD_PRELOAD"));
	return 0;
}
`,
  );
  const client = join(scratch, 'client-musl');
  const cc = await run(['musl-gcc', '-O2', '-o', client, source]);
  assert.equal(cc.code, 0, show(cc));
  const program = await run(['readelf', '-l', client], { env: { PATH: process.env.PATH, LC_ALL: 'C' } });
  assert.match(program.stdout, /Requesting program interpreter: \/lib\/ld-musl-[^\]]+\.so\.1\]/, 'a dynamically linked musl program');

  const without = await lab.run([client, SERVER_IPV4], { env });
  assert.deepEqual([without.code, without.stdout], [1, 'connect: Network unreachable\n'], show(without));
  // Only the musl program gets the musl library: env(1) itself is a glibc program.
  const r = await lab.run(['/usr/bin/env', `LD_PRELOAD=${lib}`, client, SERVER_IPV4], { env });
  assert.deepEqual([r.code, r.stdout, r.stderr], [0, `ping-musl ${SERVER_IPV4}:${PORTS.echo} family=inet\n`, ''], show(r));

  // On a musl system the installed launcher picks that library itself: ldd answers as musl's does.
  const muslLdd = join(scratch, 'musl-ldd');
  mkdirSync(muslLdd);
  writeFileSync(join(muslLdd, 'ldd'), '#!/bin/sh\necho "musl libc (x86_64)" >&2\necho "Version 1.2.3" >&2\nexit 1\n', { mode: 0o755 });
  // (Only the musl program: a glibc program cannot load it, ld.so stops.)
  const launched = await lab.run(['/usr/bin/env', `PATH=${muslLdd}:${bare}`, 'tnat64', client, SERVER_IPV4, 'show-preload'], { env });
  assert.deepEqual([launched.code, launched.stdout], [0, `ping-musl ${SERVER_IPV4}:${PORTS.echo} family=inet\n${lib}\n`], show(launched));
});

/**
 * program (--program PATH): which engine runs a program and whether it can reach it. ld.so reads LD_PRELOAD, so a
 * program the kernel starts without ld.so (static) or one that makes its system calls itself (Go) runs under the
 * seccomp supervisor instead (src/core/engine.ts). A dynamic one in secure-execution mode (setuid, setgid, file
 * capabilities: ld.so ignores a preload path with a slash) or one for another machine or C library than the
 * interposer never gets LD_PRELOAD; under the supervisor, no_new_privs keeps a setuid program from its privileges
 * and only the supervisor's own system call ABI is answered. A script is judged by its interpreter.
 */

import { engineFor } from '../core/engine.js';
import { Check, check } from './check.js';
import { ElfInfo, libcOf, machineName, readElf } from './elf.js';
import { DoctorWorld } from './world.js';

export type ProgramProblem =
  | 'not-found'
  | 'not-regular'
  | 'not-executable'
  | 'not-readable'
  | 'damaged'
  | 'setuid'
  | 'setgid'
  | 'capabilities'
  | 'wrong-class'
  | 'wrong-machine'
  | 'other-libc'
  | 'no-supervisor'
  | 'seccomp-refused';

interface Finding {
  problem?: ProgramProblem;
  warn?: true;
  text: string;
  fix?: string;
}

interface Judged {
  path: string;
  kind: 'elf' | 'script' | 'unknown' | null;
  elf?: ElfInfo;
  interpreter?: string;
  findings: Finding[];
  capabilities?: string | null;
}

const MAX_DEPTH = 4;

function shebang(head: Uint8Array): { interpreter: string; argument?: string } | undefined {
  if (head[0] !== 0x23 || head[1] !== 0x21) return undefined;
  const end = head.indexOf(0x0a);
  const line = Buffer.from(head.subarray(2, end < 0 ? head.length : end)).toString('latin1').trim();
  const space = line.search(/[ \t]/);
  if (line === '') return { interpreter: '' };
  if (space < 0) return { interpreter: line };
  const argument = line.slice(space).trim();
  return { interpreter: line.slice(0, space), ...(argument ? { argument } : {}) };
}

/** `env [-S] NAME ...` → NAME. */
function envTarget(argument: string | undefined): string | undefined {
  const words = (argument ?? '').split(/\s+/).filter(Boolean);
  while (words[0]?.startsWith('-')) words.shift();
  return words[0];
}

function judgeElf(elf: ElfInfo, library: ElfInfo | undefined, findings: Finding[]): void {
  const { why } = engineFor(elf);
  const supervised = 'so tnat64 runs it under the seccomp engine (a supervisor answers its socket calls)';
  if (why === 'go') {
    findings.push({ text: `a Go program: Go makes its socket system calls itself, not through libc, ${supervised}` });
  } else if (why === 'static') {
    findings.push({ text: `statically linked (no program interpreter): the kernel starts it without ld.so, which is what reads LD_PRELOAD, ${supervised}` });
  } else if (!elf.needed.some((n) => /^libc\.(so|musl)/.test(n))) {
    findings.push({
      warn: true,
      text: `it does not link the C library itself (needs: ${elf.needed.join(', ') || 'nothing'}): socket calls that do not go through libc's functions never reach the interposer`,
      fix: 'try it: TNAT64_DEBUG=1 tnat64 PROGRAM shows every connection tnat64 converts; tnat64 --engine seccomp PROGRAM answers system calls instead',
    });
  }
  if (!library) return;
  if (why !== 'dynamic') {
    if (library.bits !== elf.bits || library.machine !== elf.machine) {
      const problem = library.bits !== elf.bits ? 'wrong-class' : 'wrong-machine';
      const what = library.bits !== elf.bits ? `a ${elf.bits}-bit program` : `built for ${machineName(elf.machine)}`;
      findings.push({ problem, text: `${what}: the seccomp engine answers only ${machineName(library.machine)} (${library.bits}-bit) system calls, and lets the others through unchanged`, fix: `use a ${machineName(library.machine)} build of the program` });
    }
    return;
  }
  if (library.bits !== elf.bits) {
    findings.push({ problem: 'wrong-class', text: `a ${elf.bits}-bit program and a ${library.bits}-bit interposer: ld.so skips the library ("wrong ELF class")`, fix: `build the interposer for ${elf.bits}-bit programs, or use a ${library.bits}-bit build of the program` });
  } else if (library.machine !== elf.machine) {
    findings.push({ problem: 'wrong-machine', text: `built for ${machineName(elf.machine)}, the interposer for ${machineName(library.machine)}`, fix: `use the ${machineName(library.machine)} build of the program` });
  }
  const mine = libcOf(library);
  const theirs = libcOf(elf);
  if (mine && theirs && mine !== theirs) {
    findings.push({ problem: 'other-libc', text: `linked with ${theirs}, the interposer with ${mine}: it cannot load into this program`, fix: `install tnat64's ${theirs} build for this program` });
  }
}

async function judge(world: DoctorWorld, path: string, library: ElfInfo | undefined, searchPath: string | undefined, depth: number): Promise<Judged> {
  const judged: Judged = { path, kind: null, findings: [] };
  const info = world.stat(path);
  if ('error' in info) {
    const missing = info.error === 'ENOENT' || info.error === 'ENOTDIR';
    judged.findings.push(
      missing
        ? { problem: 'not-found', text: `${path} does not exist`, fix: "give the program's path" }
        : { problem: 'not-readable', text: `cannot look at ${path} (${info.error})`, fix: 'run the doctor as a user who can read the program' },
    );
    return judged;
  }
  if (!info.isFile) {
    judged.findings.push({ problem: 'not-regular', text: `${path} is ${info.isDirectory ? 'a directory' : 'not a regular file'}`, fix: "give the program's file" });
    return judged;
  }
  if (!world.executable(path)) {
    judged.findings.push({ problem: 'not-executable', text: `${path} is not executable for this user (exec fails with "Permission denied")`, fix: `chmod +x ${path}, or run it through its interpreter` });
  }
  let head: Uint8Array;
  try {
    head = world.readAt(path, 0, 256);
  } catch (error) {
    judged.findings.push({ problem: 'not-readable', text: `cannot read ${path} (${(error as { code?: string }).code ?? (error as Error).message})`, fix: 'run the doctor as a user who can read the program' });
    return judged;
  }
  const script = shebang(head);
  if (script) {
    judged.kind = 'script';
    const named = script.interpreter.replace(/^.*\//, '') === 'env' ? envTarget(script.argument) : script.interpreter;
    const interpreter = named === undefined || named === '' ? undefined : world.which(named, searchPath);
    if (interpreter === undefined) {
      judged.findings.push({ problem: 'not-found', text: `its interpreter ${named || '(none named)'} is not found`, fix: 'install the interpreter, or correct the #! line' });
      return judged;
    }
    judged.interpreter = interpreter;
    if (info.mode & 0o6000) judged.findings.push({ text: 'the setuid/setgid bit of a script is ignored by Linux, so it does not stop LD_PRELOAD' });
    if (depth >= MAX_DEPTH) {
      judged.findings.push({ problem: 'damaged', text: 'interpreters nested too deep', fix: 'run the innermost interpreter directly' });
      return judged;
    }
    const inner = await judge(world, interpreter, library, searchPath, depth + 1);
    judged.elf = inner.elf;
    for (const f of inner.findings) judged.findings.push({ ...f, text: `its interpreter ${interpreter}: ${f.text}` });
    return judged;
  }
  const elf = readElf((offset, length) => world.readAt(path, offset, length));
  if (elf === null) {
    judged.kind = 'unknown';
    judged.findings.push({ warn: true, text: 'neither ELF nor a #! script: exec fails with "Exec format error", and a shell runs it as a sh script', fix: 'give the program itself, or start the file with a #! line' });
    return judged;
  }
  judged.kind = 'elf';
  if ('error' in elf) {
    judged.findings.push({ problem: 'damaged', text: elf.error, fix: 'reinstall the program' });
    return judged;
  }
  judged.elf = elf;
  judgeElf(elf, library, judged.findings);
  if (engineFor(elf).engine === 'seccomp') {
    const nnp = 'under the seccomp engine no_new_privs keeps the kernel from granting it';
    const nnpFix = 'run it as the user it needs, without the bit; or give its dynamically linked build';
    if (info.mode & 0o4000) judged.findings.push({ problem: 'setuid', text: `setuid (owner uid ${info.uid}): ${nnp} that user's rights`, fix: nnpFix });
    if (info.mode & 0o2000) judged.findings.push({ problem: 'setgid', text: `setgid (group gid ${info.gid}): ${nnp} that group's rights`, fix: nnpFix });
    const caps = await world.capabilities(path);
    judged.capabilities = caps;
    if (caps) judged.findings.push({ problem: 'capabilities', text: `it has file capabilities (${caps}): ${nnp} them`, fix: nnpFix });
    return judged;
  }
  const secure = 'runs in secure-execution mode when anyone but its owner starts it, and ld.so then ignores LD_PRELOAD entries with a slash (the launcher\'s)';
  const secureFix = 'run a copy without the bit, or preload tnat64 system-wide through /etc/ld.so.preload (docs: its risks), which secure-execution mode still reads';
  if (info.mode & 0o4000) judged.findings.push({ problem: 'setuid', text: `setuid (owner uid ${info.uid}): it ${secure}`, fix: secureFix });
  if (info.mode & 0o2000) judged.findings.push({ problem: 'setgid', text: `setgid (group gid ${info.gid}): it ${secure}`, fix: secureFix });
  const caps = await world.capabilities(path);
  judged.capabilities = caps;
  if (caps) judged.findings.push({ problem: 'capabilities', text: `it has file capabilities (${caps}): it always runs in secure-execution mode, where ld.so ignores LD_PRELOAD entries with a slash`, fix: 'run a copy without capabilities (setcap -r on the copy), or preload tnat64 through /etc/ld.so.preload' });
  if (caps === undefined) judged.findings.push({ warn: true, text: 'could not tell whether it has file capabilities (no getcap and no python3)', fix: 'install getcap (Debian: libcap2-bin) and run the doctor again' });
  return judged;
}

/**
 * probeSeccomp asks the supervisor next to the library (where the launcher finds it) whether its filter can be
 * installed here: an old kernel or a container profile refuses it, and the program would then run without tnat64.
 */
async function probeSeccomp(world: DoctorWorld, library: string, findings: Finding[]): Promise<void> {
  const supervisor = `${library.slice(0, library.lastIndexOf('/') + 1)}tnat64-seccomp`;
  const probe = await world.seccomp(supervisor);
  if (probe.ok) return;
  if (probe.missing) {
    findings.push({ problem: 'no-supervisor', text: `the seccomp engine's supervisor is missing (${supervisor})`, fix: 'reinstall tnat64, or build it (npm run build)' });
    return;
  }
  findings.push({
    problem: 'seccomp-refused',
    text: `the seccomp engine cannot start here (${probe.reason}), so it would run without tnat64`,
    fix: 'statically linked and Go programs need Linux 5.14 or newer with seccomp user notification allowed: in a container, a seccomp profile that allows seccomp(2) (Docker: --security-opt seccomp=unconfined, or a profile of your own); or run a dynamically linked build of the program',
  });
}

export async function programCheck(world: DoctorWorld, given: string | undefined, searchPath: string | undefined): Promise<Check> {
  const empty = { path: null, resolved: null, kind: null, interpreter: null, elf: null, engine: null, engineWhy: null, capabilities: null, problems: [] as string[] };
  if (given === undefined) return check('program', 'skip', 'no --program given', { data: empty });
  const resolved = world.which(given, searchPath);
  if (resolved === undefined) {
    return check('program', 'fail', `${given} is not found on PATH`, { data: { ...empty, path: given, problems: ['not-found'] }, fix: "give the program's path" });
  }
  const found = world.library();
  let library: ElfInfo | undefined;
  if (found.ok) {
    const read = readElf((offset, length) => world.readAt(found.lib.path, offset, length));
    if (read && !('error' in read)) library = read;
  }
  const judged = await judge(world, resolved, library, searchPath, 0);
  if (judged.elf && engineFor(judged.elf).engine === 'seccomp' && found.ok) await probeSeccomp(world, found.lib.path, judged.findings);
  const problems = judged.findings.filter((f) => f.problem).map((f) => f.problem as ProgramProblem);
  const elf = judged.elf
    ? { bits: judged.elf.bits, machine: machineName(judged.elf.machine), interpreter: judged.elf.interpreter ?? null, needed: judged.elf.needed, go: judged.elf.go, libc: libcOf(judged.elf) ?? null }
    : null;
  const chosen = judged.elf ? engineFor(judged.elf) : { engine: 'preload' as const, why: null };
  const data = { path: given, resolved, kind: judged.kind, interpreter: judged.interpreter ?? null, elf, engine: chosen.engine, engineWhy: chosen.why, capabilities: judged.capabilities ?? null, problems };
  const detail = judged.findings.map((f) => f.text).join('\n') || null;
  const blocking = judged.findings.filter((f) => f.problem);
  if (blocking.length > 0) {
    const first = blocking[0] as Finding;
    const fixes = [...new Set(blocking.map((f) => f.fix).filter((f): f is string => f !== undefined))];
    return check('program', 'fail', `tnat64 cannot reach ${given}: ${first.text}`, { data, detail, fix: fixes.join('; ') });
  }
  const how = judged.kind === 'script' ? `a script run by ${judged.interpreter}, which` : 'it';
  const libc = elf?.libc ? ` (${elf.libc})` : '';
  const warning = judged.findings.find((f) => f.warn);
  if (warning) return check('program', 'warn', `${given}: ${warning.text}`, { data, detail, fix: warning.fix ?? null });
  if (chosen.engine === 'seccomp') {
    const what = chosen.why === 'go' ? 'is a Go program' : 'is statically linked';
    return check('program', 'ok', `${given}: ${how} ${what}; tnat64 runs it under the seccomp engine`, { data, detail });
  }
  return check('program', 'ok', `${given}: ${how} is dynamically linked${libc}; LD_PRELOAD reaches it`, { data, detail });
}

/**
 * Which engine runs a program: the twin of lib/core/exec/engine.c (the launcher asks the C one, `tnat64 doctor
 * --program` this one; test/unit/doctor/engine-parity.test.ts checks that they agree on real files). LD_PRELOAD works
 * through ld.so and the C library's socket functions: a program the kernel starts without ld.so (no PT_INTERP) or a Go
 * program (its own system calls, cgo or not) gets the seccomp supervisor instead.
 */

export type Engine = 'preload' | 'seccomp';
export type EngineWhy = 'dynamic' | 'static' | 'go';

export function engineFor(elf: { go: boolean; interpreter?: string | undefined }): { engine: Engine; why: EngineWhy } {
  if (elf.go) return { engine: 'seccomp', why: 'go' };
  if (elf.interpreter === undefined) return { engine: 'seccomp', why: 'static' };
  return { engine: 'preload', why: 'dynamic' };
}

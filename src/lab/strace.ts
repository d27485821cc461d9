/** Reading `strace -f -e trace=connect` output: which addresses the kernel was really asked to connect to. */

export interface KernelConnect {
  family: 'AF_INET' | 'AF_INET6' | 'AF_UNIX' | 'other';
  address: string;
  port: number;
  /** The syscall's result: 0, or the errno name (EINPROGRESS, ENETUNREACH, …). */
  result: string;
}

/** Wrap argv so the kernel's connect() calls land in stderr (strace's own lines are prefixed with "[pid N]" or not). */
export function straced(argv: readonly string[]): string[] {
  return ['strace', '-f', '-qq', '-e', 'trace=connect', '-e', 'signal=none', ...argv];
}

/** Every connect() strace printed, in order (resumed lines of interrupted calls are joined by strace -f itself). */
export function parseConnects(stderr: string): KernelConnect[] {
  const out: KernelConnect[] = [];
  for (const line of stderr.split('\n')) {
    if (!/connect\(\d+, \{sa_family=/.test(line)) continue;
    const result = /\)\s+=\s+(-?\d+)(?:\s+(E[A-Z]+))?/.exec(line);
    const res = result ? (result[2] ?? result[1]!) : '?';
    const port = Number(/sin6?_port=htons\((\d+)\)/.exec(line)?.[1] ?? -1);
    let m: RegExpExecArray | null;
    if ((m = /sa_family=AF_INET6,.*inet_pton\(AF_INET6, "([^"]+)"/.exec(line))) {
      out.push({ family: 'AF_INET6', address: m[1]!, port, result: res });
    } else if ((m = /sa_family=AF_INET,.*inet_addr\("([^"]+)"\)/.exec(line))) {
      out.push({ family: 'AF_INET', address: m[1]!, port, result: res });
    } else if ((m = /sa_family=AF_UNIX, sun_path="([^"]*)"/.exec(line))) {
      out.push({ family: 'AF_UNIX', address: m[1]!, port: -1, result: res });
    } else {
      out.push({ family: 'other', address: line.trim(), port, result: res });
    }
  }
  return out;
}

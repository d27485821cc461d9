/**
 * Which configuration file applies and what is in it: `-f FILE` (tools only), else $TNAT64_CONF_FILE, else
 * /etc/tnat64.conf. A missing file means no configuration; an invalid one is ignored as a whole (as the library does).
 */

import { closeSync, constants, fstatSync, openSync, readSync, Stats, statSync } from 'node:fs';
import { Config, ConfigError, MAX_CONFIG_BYTES, parseConfig } from './config.js';

export const DEFAULT_CONF_FILE = '/etc/tnat64.conf';

/** Reads a file's bytes; throws an Error with `code` (ENOENT, EACCES, ...) when it cannot. */
export type ReadBytes = (path: string) => Uint8Array;

export interface LoadedConfig {
  file: string;
  /** Where the file name came from. */
  from: 'option' | 'env' | 'default';
  /** ok: parsed; absent: no such file (no configuration); invalid: errors, the file is ignored. */
  status: 'ok' | 'absent' | 'invalid';
  /** The configuration in effect: the parsed one, or empty when absent/invalid. */
  config: Config;
  errors: ConfigError[];
}

function isDevNull(stats: Stats): boolean {
  try {
    return stats.isCharacterDevice() && stats.rdev === statSync('/dev/null').rdev;
  } catch {
    return false;
  }
}

/**
 * Reads a file as the library does: opened without waiting (a FIFO would block the open until a writer comes), only
 * a regular file or /dev/null (else an Error with code ENOTREG, or EISDIR for a directory), and at most
 * MAX_CONFIG_BYTES + 1 bytes, enough to tell that a file is too large without reading all of it.
 */
export function readConfigBytes(path: string): Uint8Array {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = fstatSync(fd);
    if (stats.isDirectory()) throw Object.assign(new Error('it is a directory'), { code: 'EISDIR' });
    if (!stats.isFile() && !isDevNull(stats)) throw Object.assign(new Error('it is not a regular file'), { code: 'ENOTREG' });
    const buffer = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let length = 0;
    for (let n = -1; n !== 0 && length < buffer.length; length += n) n = readSync(fd, buffer, length, buffer.length - length, null);
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

export function emptyConfig(): Config {
  return { locals: [], paths: [] };
}

export function loadConfig(readBytes: ReadBytes, env: NodeJS.ProcessEnv, option?: string): LoadedConfig {
  const fromEnv = env.TNAT64_CONF_FILE;
  const [file, from]: [string, LoadedConfig['from']] =
    option !== undefined ? [option, 'option'] : fromEnv ? [fromEnv, 'env'] : [DEFAULT_CONF_FILE, 'default'];
  const base = { file, from, config: emptyConfig() };
  let bytes: Uint8Array;
  try {
    bytes = readBytes(file);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') return { ...base, status: 'absent', errors: [] };
    if (code === 'ENOTREG') {
      return { ...base, status: 'invalid', errors: [{ file, line: 0, code: 'not-a-file', text: '', message: 'it is not a regular file (a FIFO, a device or a socket); expected a regular file or /dev/null' }] };
    }
    const why = code === 'EISDIR' ? 'it is a directory' : `${(error as Error).message}`;
    return { ...base, status: 'invalid', errors: [{ file, line: 0, code: 'unreadable', text: '', message: `cannot read the file: ${why}; expected a readable text file` }] };
  }
  if (bytes.length > MAX_CONFIG_BYTES) {
    return {
      ...base,
      status: 'invalid',
      errors: [{ file, line: 0, code: 'file-too-large', text: '', message: `the file is larger than ${MAX_CONFIG_BYTES} bytes; expected at most ${MAX_CONFIG_BYTES}` }],
    };
  }
  const result = parseConfig(Buffer.from(bytes).toString('utf8'), file);
  return result.ok ? { ...base, status: 'ok', config: result.config, errors: [] } : { ...base, status: 'invalid', errors: result.errors };
}

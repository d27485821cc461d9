/**
 * Which configuration file applies and what is in it: `-f FILE` (tools only), else $TNAT64_CONF_FILE, else
 * /etc/tnat64.conf. A missing file means no configuration; an invalid one is ignored as a whole (as the library does).
 */

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
    const why = code === 'EISDIR' ? 'it is a directory' : `${(error as Error).message}`;
    return { ...base, status: 'invalid', errors: [{ file, line: 0, code: 'unreadable', text: '', message: `cannot read the file: ${why}; expected a readable text file` }] };
  }
  if (bytes.length > MAX_CONFIG_BYTES) {
    return {
      ...base,
      status: 'invalid',
      errors: [{ file, line: 0, code: 'file-too-large', text: '', message: `the file is ${bytes.length} bytes; expected at most ${MAX_CONFIG_BYTES}` }],
    };
  }
  const result = parseConfig(Buffer.from(bytes).toString('utf8'), file);
  return result.ok ? { ...base, status: 'ok', config: result.config, errors: [] } : { ...base, status: 'invalid', errors: result.errors };
}

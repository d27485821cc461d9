/** config: the configuration file as the library reads it (the same loader `tnat64 check` uses). */

import { formatError } from '../core/config.js';
import { LoadedConfig } from '../core/config-file.js';
import { Check, check } from './check.js';

export function configCheck(loaded: LoadedConfig): Check {
  const data = { file: loaded.file, from: loaded.from, state: loaded.status, errors: loaded.errors.length };
  if (loaded.status === 'absent') {
    return check('config', 'ok', `no configuration file (${loaded.file}): none is needed when the network announces its prefix`, { data });
  }
  if (loaded.status === 'invalid') {
    const n = loaded.errors.length;
    return check('config', 'fail', `${loaded.file} is invalid (${n} error${n === 1 ? '' : 's'}): the library ignores all of it`, {
      data,
      detail: loaded.errors.map(formatError).join('\n'),
      fix: `correct ${loaded.file} (\`tnat64 check\` lists every error with its line), or move it away`,
    });
  }
  const { config } = loaded;
  const parts = [config.prefix ? 'a default prefix' : 'no default prefix', `${config.locals.length} local net(s)`, `${config.paths.length} path(s)`];
  return check('config', 'ok', `${loaded.file} is valid: ${parts.join(', ')}`, { data });
}

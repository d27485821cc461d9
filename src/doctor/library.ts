/** library: the interposer the launcher would preload exists and is the same version as this command. */

import { versionProblem } from '../core/library.js';
import { Check, check } from './check.js';
import { DoctorWorld } from './world.js';

export function libraryCheck(world: DoctorWorld): Check {
  const found = world.library();
  if (!found.ok) {
    return check('library', 'fail', 'no interposer library: `tnat64 PROGRAM` cannot run anything', {
      data: { path: null, version: null, expected: world.version, source: null },
      detail: found.problem,
      fix: `build it (npm run build in ${world.base.packageRoot}), or install a tnat64 package that has a library for this platform`,
    });
  }
  const { lib } = found;
  const data = { path: lib.path, version: lib.version ?? null, expected: world.version, source: lib.source };
  const problem = versionProblem(lib, world.version);
  if (problem !== undefined) {
    return check('library', 'fail', `the interposer is ${lib.version === undefined ? 'of an unknown version' : `version ${lib.version}`}, this command ${world.version}`, {
      data,
      detail: problem,
      fix: lib.source === 'build' ? `rebuild it: npm run build (in ${world.base.packageRoot})` : 'reinstall tnat64, so the library and the command come from one package',
    });
  }
  if (/[\s:]/.test(lib.path)) {
    return check('library', 'fail', `the interposer's path ${lib.path} has a space or colon, which LD_PRELOAD cannot express`, {
      data,
      fix: 'install tnat64 in a directory whose path has neither',
    });
  }
  return check('library', 'ok', `${lib.path} (${lib.source}), version ${world.version} like this command`, { data });
}

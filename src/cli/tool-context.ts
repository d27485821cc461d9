/**
 * What `check` and `explain` share: the configuration as the library would load it (with `-f` refusing a missing
 * file), a Decider wired to discovery through the world's resolver, and targets resolved to IPv4 addresses.
 */

import { Problem } from './command.js';
import { LoadedConfig, loadConfig } from '../core/config-file.js';
import { discover } from '../core/discover.js';
import { Decider } from '../core/resolve-decision.js';
import { World } from '../core/system.js';
import { Target, targetAddresses } from '../core/target.js';

export function loadToolConfig(world: World, env: NodeJS.ProcessEnv, option: string | undefined): LoadedConfig {
  const loaded = loadConfig(world.readBytes, env, option);
  if (loaded.status === 'absent' && loaded.from === 'option') {
    throw new Problem('config-missing', `the configuration file ${loaded.file} does not exist`, 'give an existing file to -f');
  }
  return loaded;
}

export function toolDecider(world: World, env: NodeJS.ProcessEnv, loaded: LoadedConfig): Decider {
  return new Decider(env, loaded.config, () => discover(world.resolver(), world.readText));
}

/** The target's IPv4 addresses, or a sentence saying why it could not be resolved. */
export async function resolveTarget(world: World, target: Target): Promise<number[] | string> {
  try {
    return await targetAddresses(target, world.resolve4);
  } catch (error) {
    const why = (error as { code?: string }).code ?? (error as Error).message;
    // ENODATA: the name exists without A records. If it has AAAA records, the library's lookup hooks give an IPv4
    // program a stand-in for each (README "Names"): nothing for the IPv4 decision to explain.
    const aaaaOnly =
      why === 'ENODATA'
        ? `; if it has only IPv6 addresses, a program under tnat64 that looks it up for IPv4 gets a stand-in address for each (198.19.0.0/16 by default, standin_pool) and reaches it directly over IPv6, without NAT64`
        : '';
    return `cannot resolve ${target.host} to IPv4 addresses (${why})${aaaaOnly}; give an IPv4 address instead, or check the name`;
  }
}

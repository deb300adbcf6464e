import { listLibraries, pruneLibraries, scriptLibrary } from '@dtps/core';
import { ExitCode } from '../exit-codes.js';
import { table } from '../format.js';
import type { Command } from './command.js';

/**
 * `dtps scripts`: the function libraries of dtps on the server. Each version of
 * dtps loads its own (its name carries a hash of its code), so an upgrade
 * leaves the old one behind; `--prune` deletes those.
 */
export const scripts: Command = {
  name: 'scripts',
  args: [],
  summary: "List dtps's function libraries on Redis; --prune deletes other versions'",
  flags: ['prune'],
  details: [
    'dtps runs its scripts as one function library a version (config redis.scripts: functions).',
    "An upgrade leaves the old version's library on the server: --prune deletes every dtps library",
    "but this version's. A process of another version that still runs loads its own again at its next call.",
    "Libraries that are not dtps's are never touched. In a Cluster: on every master.",
    'With --json: {"current": "dtps_…", "servers": [{"server", "libraries"}], "deleted": [{"server", "libraries"}]}.',
  ],
  examples: ['dtps scripts', 'dtps scripts --prune'],
  async run(ctx) {
    const client = await ctx.client();
    const redis = client.ctx.redis;
    const current = scriptLibrary().name;
    const deleted = ctx.flags.prune ? await pruneLibraries(redis) : [];
    const servers = await listLibraries(redis);
    ctx.out.result({ current, servers, deleted }, () => {
      const rows = servers.flatMap(({ server, libraries }) =>
        libraries.map((name) => [server, name, name === current ? 'this version' : 'another version']),
      );
      const gone = deleted.flatMap(({ server, libraries }) =>
        libraries.map((name) => `deleted ${name} on ${server}`),
      );
      const listing =
        rows.length === 0
          ? 'no dtps function library on the server yet'
          : table(['SERVER', 'LIBRARY', 'OF'], rows);
      return [...gone, listing].join('\n');
    });
    return ExitCode.ok;
  },
};

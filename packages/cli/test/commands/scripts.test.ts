/**
 * `dtps scripts`: lists dtps's function libraries on the server and, with
 * --prune, deletes those of other versions — never a library that is not dtps's.
 * Serial: the libraries are the server's, shared by the tests of this file.
 */
import { scriptLibrary } from '@dtps/core';
import test from 'ava';
import { useCli } from '../helpers/setup.js';

const cli = useCli(test);

interface Listing {
  current: string;
  servers: { server: string; libraries: string[] }[];
  deleted: { server: string; libraries: string[] }[];
}

/** A library of the given name with one function that returns 1. */
function library(name: string): string {
  return `#!lua name=${name}\nredis.register_function('${name}_f', function() return 1 end)\n`;
}

const OLD = 'dtps_000000000000';

test.serial('lists this version and others; --prune deletes only the other dtps versions', async (t) => {
  const s = cli.scope();
  const admin = s.client().ctx.redis;
  await admin.call('FUNCTION', 'FLUSH');
  const current = scriptLibrary().name;

  const empty = await s.run(['scripts', '--json']);
  t.is(empty.code, 0, empty.stderr);
  t.deepEqual(empty.json<Listing>().servers[0]?.libraries, [], 'nothing loaded before the first script call');

  // This version's library (a submit loads it), an older version's, and one of another application.
  t.is((await s.run(['submit', '--type', 'x'])).code, 0);
  await admin.call('FUNCTION', 'LOAD', library(OLD));
  await admin.call('FUNCTION', 'LOAD', library('myapp'));

  const listed = await s.run(['scripts', '--json']);
  t.is(listed.code, 0, listed.stderr);
  const l = listed.json<Listing>();
  t.is(l.current, current);
  t.deepEqual(l.servers[0]?.libraries, [OLD, current].sort(), 'only dtps libraries are listed');
  t.deepEqual(l.deleted, []);
  const text = await s.run(['scripts']);
  t.regex(text.stdout, new RegExp(`${current}\\s+this version`));
  t.regex(text.stdout, new RegExp(`${OLD}\\s+another version`));

  const pruned = await s.run(['scripts', '--prune', '--json']);
  t.is(pruned.code, 0, pruned.stderr);
  const p = pruned.json<Listing>();
  t.deepEqual(p.deleted[0]?.libraries, [OLD]);
  t.deepEqual(p.servers[0]?.libraries, [current]);
  const left = ((await admin.call('FUNCTION', 'LIST')) as unknown[][]).map((e) => String(e[1])).sort();
  t.deepEqual(left, [current, 'myapp'].sort(), "another application's library is left alone");

  // A process whose library was pruned loads it again at its next call (registry.ts).
  await admin.call('FUNCTION', 'DELETE', current);
  const { id } = (await s.run(['submit', '--type', 'y', '--json'])).json<{ id: string }>();
  t.like(await s.client().get(id), { type: 'y', state: 'queued' });
});

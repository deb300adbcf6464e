/**
 * Reads deploy/'s systemd unit files and environment files the way systemd
 * does for the few settings the tests run them by: ExecStart,
 * WorkingDirectory, EnvironmentFile (simple `KEY=value` lines; the units
 * use no quoting, and this refuses any so that it cannot misread one).
 */
import { readFileSync } from 'node:fs';

/** The [Service] settings of a unit file, each key with its values in order. */
export function serviceSettings(path: string): Map<string, string[]> {
  const settings = new Map<string, string[]>();
  let section = '';
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1] as string;
      continue;
    }
    if (section !== 'Service') continue;
    const eq = line.indexOf('=');
    if (eq === -1) throw new Error(`${path}: not a setting: ${line}`);
    const key = line.slice(0, eq).trim();
    settings.set(key, [...(settings.get(key) ?? []), line.slice(eq + 1).trim()]);
  }
  return settings;
}

/** The one value of a [Service] setting; throws when it is missing or given twice. */
export function oneSetting(settings: Map<string, string[]>, key: string): string {
  const values = settings.get(key) ?? [];
  if (values.length !== 1) throw new Error(`expected one ${key}=, found ${values.length}`);
  return values[0] as string;
}

/** A command line of ExecStart= split into words; quotes and specifiers are refused, not guessed. */
export function commandWords(line: string): string[] {
  if (/["'\\%$]/.test(line))
    throw new Error(`ExecStart with quoting or specifiers is not handled here: ${line}`);
  if (/^[-@:+!]/.test(line)) throw new Error(`ExecStart prefixes are not handled here: ${line}`);
  return line.split(/\s+/).filter((w) => w !== '');
}

/** An EnvironmentFile's variables (`KEY=value`, `#` comments). */
export function environmentFile(path: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) throw new Error(`${path}: not KEY=value: ${line}`);
    if (/["'\\]/.test(m[2] as string)) throw new Error(`${path}: quoting is not handled here: ${line}`);
    vars[m[1] as string] = m[2] as string;
  }
  return vars;
}

import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case
const RANDOM_CHARS = 10;

// randomBytes costs a call into the OS per use; a 4 KB pool serves ~400 ids per refill,
// which matters on the submit path (one id per task).
const POOL_SIZE = 4096;
let pool = Buffer.alloc(0);
let offset = POOL_SIZE;

const CODES = Array.from(ALPHABET, (c) => c.charCodeAt(0));

// Ids made in the same millisecond share their time part: its characters are worked out once.
let lastNow = -1;
const timeCodes = new Array<number>(10).fill(CODES[0]!);

function setTime(now: number): void {
  let t = now;
  for (let i = 9; i >= 0; i--) {
    timeCodes[i] = CODES[t % 32]!;
    t = Math.floor(t / 32);
  }
  lastNow = now;
}

/**
 * A new task id: 10 characters of time (ms) and 10 of randomness, Crockford
 * base32, so ids sort by creation time and are easy to type and copy. Made as
 * one string, from character codes, with nothing built on the way: one id per
 * submitted task.
 */
export function newTaskId(now: number): string {
  if (offset + RANDOM_CHARS > pool.length) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  if (now !== lastNow) setTime(now);
  const t = timeCodes;
  const p = pool;
  const o = offset;
  offset += RANDOM_CHARS;
  // biome-ignore format: the 20 characters, time then randomness
  return String.fromCharCode(
    t[0]!, t[1]!, t[2]!, t[3]!, t[4]!, t[5]!, t[6]!, t[7]!, t[8]!, t[9]!,
    CODES[p[o]! & 31]!, CODES[p[o + 1]! & 31]!, CODES[p[o + 2]! & 31]!, CODES[p[o + 3]! & 31]!,
    CODES[p[o + 4]! & 31]!, CODES[p[o + 5]! & 31]!, CODES[p[o + 6]! & 31]!, CODES[p[o + 7]! & 31]!,
    CODES[p[o + 8]! & 31]!, CODES[p[o + 9]! & 31]!,
  );
}

/** Task ids are ours or the caller's: printable, no spaces or braces, at most 128 characters. */
export const TASK_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case
const RANDOM_CHARS = 10;

// randomBytes costs a call into the OS per use; a 4 KB pool serves ~400 ids per refill,
// which matters on the submit path (one id per task).
const POOL_SIZE = 4096;
let pool = Buffer.alloc(0);
let offset = POOL_SIZE;

// Ids made in the same millisecond share their time part: encode it once.
let lastNow = -1;
let lastTime = '';

function timePart(now: number): string {
  if (now === lastNow) return lastTime;
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  lastNow = now;
  lastTime = time;
  return time;
}

/**
 * A new task id: 10 characters of time (ms) and 10 of randomness, Crockford
 * base32, so ids sort by creation time and are easy to type and copy.
 */
export function newTaskId(now: number): string {
  if (offset + RANDOM_CHARS > pool.length) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  let rand = '';
  for (let i = 0; i < RANDOM_CHARS; i++) rand += ALPHABET[pool[offset + i]! & 31];
  offset += RANDOM_CHARS;
  return timePart(now) + rand;
}

/** Task ids are ours or the caller's: printable, no spaces or braces, at most 128 characters. */
export const TASK_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

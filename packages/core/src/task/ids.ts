import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case

/**
 * A new task id: 10 characters of time (ms) and 10 of randomness, Crockford
 * base32, so ids sort by creation time and are easy to type and copy.
 */
export function newTaskId(now: number): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(10);
  let rand = '';
  for (let i = 0; i < 10; i++) rand += ALPHABET[bytes[i]! & 31];
  return time + rand;
}

/** Task ids are ours or the caller's: printable, no spaces or braces, at most 128 characters. */
export const TASK_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

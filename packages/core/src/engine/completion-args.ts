import { encodeResult, errorText } from '../task/output.js';
import type { Completion, Failure } from './worker-ops.js';

/** A completion with its result's JSON. */
export type EncodedCompletion = Completion & { json: string };

/**
 * Encodes each completion's result on its own (unless the worker already did):
 * the last line of defence that keeps one result that cannot be stored from
 * failing a whole batch of reports. Such a completion becomes a permanent
 * failure with reason `unencodable_result`.
 */
export function encodeCompletions(done: readonly Completion[]): {
  sendable: EncodedCompletion[];
  unencodable: Failure[];
} {
  const sendable: EncodedCompletion[] = [];
  const unencodable: Failure[] = [];
  for (const d of done) {
    if (d.json !== undefined) {
      sendable.push(d as EncodedCompletion);
      continue;
    }
    try {
      sendable.push({ ...d, json: encodeResult(d.result) });
    } catch (err) {
      unencodable.push({
        id: d.id,
        attempt: d.attempt,
        message: `task ${d.id}: ${errorText(err)}`,
        reason: 'unencodable_result',
        permanent: true,
      });
    }
  }
  return { sendable, unencodable };
}

/**
 * Reports (through `fail`) as failed attempts the completions whose result
 * could not be encoded, and merges what the fence said of them with what it
 * said of the sent ones (`sent`, in order), in the order of `all`.
 */
export async function withUnencodable(
  fail: (failures: readonly Failure[]) => Promise<(string | null)[]>,
  all: readonly Completion[],
  sent: readonly boolean[],
  unencodable: readonly Failure[],
): Promise<boolean[]> {
  if (unencodable.length === 0) return [...sent];
  const states = await fail(unencodable);
  const refused = new Map(unencodable.map((f, i) => [f.id, states[i] !== null]));
  let next = 0;
  return all.map((c) => refused.get(c.id) ?? sent[next++]!);
}

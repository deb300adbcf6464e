/**
 * acquireLease-2.lua and releaseLease-1.lua: the coordinator's leader lease.
 */
import type { FleetKeys } from '../../keys.js';
import { replyInteger, type ScriptCall, type ScriptShape } from './shape.js';

export const ACQUIRE_LEASE: ScriptShape = {
  name: 'acquireLease',
  keyNames: ['lease', 'epoch'],
  argNames: ['holder', 'leaseMs'],
  perItem: [],
};

export function buildAcquireLease(a: { fleet: FleetKeys; holder: string; leaseMs: number }): ScriptCall {
  return { keys: [a.fleet.leader, a.fleet.leaderEpoch], argv: [a.holder, String(a.leaseMs)] };
}

/** The lease after a try: held by the caller with its epoch, or by another for `msLeft` more. */
export type LeaseReply = { held: true; epoch: number } | { held: false; msLeft: number };

export function decodeAcquireLease(reply: unknown): LeaseReply {
  const n = replyInteger('acquireLease', reply);
  return n > 0 ? { held: true, epoch: n } : { held: false, msLeft: -n };
}

export const RELEASE_LEASE: ScriptShape = {
  name: 'releaseLease',
  keyNames: ['lease'],
  argNames: ['holder', 'epoch'],
  perItem: [],
};

export function buildReleaseLease(a: { fleet: FleetKeys; holder: string; epoch: number }): ScriptCall {
  return { keys: [a.fleet.leader], argv: [a.holder, String(a.epoch)] };
}

/** Whether the caller held the lease with that epoch, and gave it up. */
export function decodeReleaseLease(reply: unknown): { released: boolean } {
  return { released: replyInteger('releaseLease', reply) === 1 };
}

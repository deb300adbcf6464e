import { Box, Text } from 'ink';
import { flowLineCount, MAX_LIMIT_LINES } from '../state/layout.js';
import { count } from './format.js';

/** One limit as the Overview shows it (the core's QueueLimit). */
export interface LimitView {
  readonly scope: string;
  readonly key: string | null;
  readonly rate: { readonly n: number; readonly perMs: number } | null;
  readonly concurrency: number | null;
  readonly running: number;
  readonly heldBack: number;
  readonly tokensLeft: number | null;
}

/** The queue's flow control: paused or not, and its limits. */
export interface FlowView {
  readonly paused: boolean;
  readonly limits: readonly LimitView[];
}

/** `type echo`, `queue`, `each-group`. */
export function limitName(l: Pick<LimitView, 'scope' | 'key'>): string {
  return l.key === null ? l.scope : `${l.scope} ${l.key}`;
}

function rateText(r: LimitView['rate']): string {
  if (!r) return '';
  return r.perMs % 1000 === 0 ? `${r.n}/${r.perMs / 1000}s` : `${r.n}/${r.perMs}ms`;
}

/**
 * The Overview's flow-control block, under the counters: a line saying
 * whether the queue is paused and how many limits it has, then one line per
 * limit with what it holds now (running under a cap, held back, tokens left).
 * Nothing for a running queue without limits.
 */
export function FlowLines({ flow, width }: { readonly flow: FlowView | null; readonly width: number }) {
  if (flow === null || flowLineCount(flow) === 0) return null;
  const shown = flow.limits.slice(0, MAX_LIMIT_LINES);
  const more = flow.limits.length - shown.length;
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end">
        {flow.paused ? (
          <Text color="yellow" bold>
            PAUSED
          </Text>
        ) : (
          <Text color="green">active</Text>
        )}
        <Text color="gray">
          {` · ${flow.limits.length} limit${flow.limits.length === 1 ? '' : 's'}${more > 0 ? ` (${more} more: dtps queue show)` : ''} · L set/clear · P ${flow.paused ? 'resume' : 'pause'}`}
        </Text>
      </Text>
      {shown.map((l) => (
        <Text key={limitName(l)} wrap="truncate-end">
          {'  '}
          <Text bold>{limitName(l).padEnd(18)}</Text>
          {l.rate ? (
            <Text>
              {` rate ${rateText(l.rate)} `}
              <Text color="gray">tokens left </Text>
              <Text bold>{count(l.tokensLeft ?? 0)}</Text>
            </Text>
          ) : null}
          {l.concurrency !== null ? (
            <Text>
              {` cap ${l.concurrency} `}
              <Text color="gray">running </Text>
              <Text bold>{count(l.running)}</Text>
            </Text>
          ) : null}
          <Text color="gray"> held back </Text>
          <Text bold color={l.heldBack > 0 ? 'yellow' : undefined}>
            {count(l.heldBack)}
          </Text>
        </Text>
      ))}
    </Box>
  );
}

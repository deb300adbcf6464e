import type { Task } from '@dtps/core';
import { Box, Text } from 'ink';
import { clip } from './format.js';
import type { BulkProgress, Confirm, Notice } from './view-types.js';

export interface StatusLineProps {
  readonly confirm: Confirm | null;
  readonly notice: Notice | null;
  /** A bulk action under way, with its totals so far. */
  readonly bulk: BulkProgress | null;
  /** The task submitted last, while it is followed. */
  readonly follow: { readonly id: string; readonly task: Task | null } | null;
  readonly width: number;
}

/** The line above the footer: a question to answer, else the last notice, else the followed task. */
export function StatusLine({ confirm, notice, bulk, follow, width }: StatusLineProps) {
  if (confirm) {
    return (
      <Box width={width} height={1}>
        <Text color="yellow" bold>
          {clip(` ${confirm.prompt} [y/N]`, width)}
        </Text>
      </Box>
    );
  }
  if (bulk) {
    const text = ` bulk ${bulk.action} of ${bulk.state} tasks: ${bulk.done} done · ${bulk.matched} matched · ${bulk.scanned} looked at …`;
    return (
      <Box width={width} height={1}>
        <Text color="yellow">{clip(text, width)}</Text>
      </Box>
    );
  }
  if (notice) {
    return (
      <Box width={width} height={1}>
        <Text color={notice.level === 'error' ? 'red' : 'green'}>{clip(` ${notice.text}`, width)}</Text>
      </Box>
    );
  }
  if (follow) {
    const t = follow.task;
    const progress = t?.progress !== null && t?.progress !== undefined ? ` ${t.progress}%` : '';
    return (
      <Box width={width} height={1}>
        <Text color="gray">
          {clip(` following ${follow.id}: ${t ? `${t.state}${progress}` : 'submitted'}`, width)}
        </Text>
      </Box>
    );
  }
  return <Box width={width} height={1} />;
}

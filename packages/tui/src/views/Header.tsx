import { Box, Text } from 'ink';
import type { ConnectionStatus, ViewName } from './view-types.js';

export interface HeaderProps {
  readonly view: ViewName;
  readonly queue: string;
  readonly liveWorkers: number;
  readonly leader: string | null;
  readonly connection: ConnectionStatus;
  readonly width: number;
}

const TABS: readonly [ViewName, string][] = [
  ['overview', '1 Overview'],
  ['workers', '2 Workers'],
  ['tasks', '3 Tasks'],
  ['schedules', '4 Schedules'],
];

/** The top line: the views as tabs, then the queue, the fleet and the connection. */
export function Header({ view, queue, liveWorkers, leader, connection, width }: HeaderProps) {
  const dot = connection === 'up' ? 'green' : connection === 'lost' ? 'red' : 'yellow';
  const tabsWidth = 6 + TABS.reduce((n, [, label]) => n + label.length + 2, 0);
  const room = width - tabsWidth - 3;
  // As many of these as fit, most useful first.
  const parts = [
    `queue ${queue}`,
    `${liveWorkers} worker${liveWorkers === 1 ? '' : 's'}`,
    leader ? 'coordinator' : 'no coordinator',
  ];
  let right = '';
  for (const p of parts) {
    const next = right === '' ? p : `${right} · ${p}`;
    if (next.length + 1 > room) break;
    right = next;
  }
  return (
    <Box width={width} height={1}>
      <Text bold color="cyan">
        {' dtps '}
      </Text>
      {TABS.map(([name, label]) => (
        <Text key={name} inverse={name === view} bold={name === view}>
          {` ${label} `}
        </Text>
      ))}
      <Box flexGrow={1} justifyContent="flex-end">
        {right !== '' ? <Text color="gray">{`${right} `}</Text> : null}
        <Text color={dot}>● </Text>
      </Box>
    </Box>
  );
}

import { Box, Text } from 'ink';
import { clip, clock, duration } from './format.js';
import type { Connection } from './view-types.js';

export interface BannerProps {
  readonly connection: Connection;
  readonly redisLabel: string;
  readonly now: number;
  readonly width: number;
}

/** The line under the header while Redis is not answering: what is wrong, since when, and that it reconnects by itself. */
export function Banner({ connection, redisLabel, now, width }: BannerProps) {
  if (connection.status === 'up') return null;
  const text =
    connection.status === 'connecting'
      ? ` Connecting to Redis at ${redisLabel}…${connection.error ? ` ${connection.error}` : ''}`
      : ` Redis at ${redisLabel} is unreachable: ${connection.error ?? 'no answer'} · reconnecting by itself (attempt ${connection.attempts}, ${duration(now - connection.since)}) · figures as of ${clock(connection.since)}`;
  return (
    <Box width={width} height={1}>
      <Text backgroundColor={connection.status === 'lost' ? 'red' : 'yellow'} color="black" bold>
        {clip(text, width).padEnd(width)}
      </Text>
    </Box>
  );
}

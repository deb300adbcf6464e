import { Box, Text } from 'ink';
import { clip, clock } from './format.js';

export interface DataLossBannerProps {
  /** When dtps noticed the loss (epoch ms). */
  readonly at: number;
  /** How many losses dtps has noticed on this deployment. */
  readonly losses: number;
  readonly width: number;
}

/**
 * The line under the header for a day after Redis lost its data (restarted
 * without persistence, flushed): the tasks accepted before then are gone and
 * nothing else on screen would say so. See docs/durability.md.
 */
export function DataLossBanner({ at, losses, width }: DataLossBannerProps) {
  const times = losses > 1 ? ` (${losses} times so far)` : '';
  const text = ` Redis lost its data at ${clock(at)}${times}: tasks accepted before then are gone · check Redis persistence (docs/durability.md)`;
  return (
    <Box width={width} height={1}>
      <Text backgroundColor="red" color="white" bold>
        {clip(text, width).padEnd(width)}
      </Text>
    </Box>
  );
}

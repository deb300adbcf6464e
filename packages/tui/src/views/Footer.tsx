import { Box, Text } from 'ink';
import type { KeyHint } from './view-types.js';

export interface FooterProps {
  readonly hints: readonly KeyHint[];
  readonly width: number;
}

function widthOf(h: KeyHint): number {
  return h[0].length + h[1].length + 3;
}

/**
 * The bottom line: the keys of the current mode, as many as fit. The last
 * one (quit, or how to close what is open) always shows: its room is kept
 * first and the others fill what is left, in order.
 */
export function Footer({ hints, width }: FooterProps) {
  const last = hints.at(-1);
  const shown: KeyHint[] = [];
  let used = 1 + (last ? widthOf(last) : 0);
  for (const h of hints.slice(0, -1)) {
    if (used + widthOf(h) > width) break;
    shown.push(h);
    used += widthOf(h);
  }
  if (last) shown.push(last);
  return (
    <Box width={width} height={1}>
      <Text> </Text>
      {shown.map(([key, does]) => (
        <Text key={key}>
          <Text inverse>{key}</Text>
          <Text color="gray">{` ${does}  `}</Text>
        </Text>
      ))}
    </Box>
  );
}

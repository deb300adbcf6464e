import { Box, Text } from 'ink';
import type { KeyHint } from './view-types.js';

export interface FooterProps {
  readonly hints: readonly KeyHint[];
  readonly width: number;
}

/** The bottom line: the keys of the current mode, as many as fit. */
export function Footer({ hints, width }: FooterProps) {
  const shown: KeyHint[] = [];
  let used = 1;
  for (const h of hints) {
    const w = h[0].length + h[1].length + 3;
    if (used + w > width) break;
    shown.push(h);
    used += w;
  }
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

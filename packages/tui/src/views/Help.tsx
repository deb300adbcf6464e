import { Box, Text } from 'ink';
import { KEY_REFERENCE } from '../state/help.js';
import { cell, clip } from './format.js';

export interface HelpProps {
  readonly width: number;
  readonly height: number;
}

/** Every key, under `?`: two columns when there is room. */
export function Help({ width, height }: HelpProps) {
  const twoColumns = width >= 70;
  const colWidth = twoColumns ? Math.floor((width - 4) / 2) : width - 2;
  const sections = KEY_REFERENCE.map((s) => (
    <Box key={s.title} flexDirection="column" marginBottom={twoColumns ? 1 : 0}>
      <Text bold color="cyan">
        {` ${s.title}`}
      </Text>
      {s.keys.map(([key, does]) => (
        <Text key={key}>
          <Text bold>{`  ${cell(key, 11)}`}</Text>
          <Text>{clip(does, Math.max(0, colWidth - 14))}</Text>
        </Text>
      ))}
    </Box>
  ));
  // Left: the general keys and the Tasks view's; right: the Workers view's and the forms'.
  const left = sections.filter((_, i) => i % 2 === 0);
  const right = sections.filter((_, i) => i % 2 === 1);
  return (
    <Box
      flexDirection="column"
      width={width}
      height={height}
      overflow="hidden"
      borderStyle="round"
      borderColor="cyan"
    >
      <Text bold> Keys</Text>
      {twoColumns ? (
        <Box>
          <Box flexDirection="column" width={colWidth}>
            {left}
          </Box>
          <Box flexDirection="column" width={colWidth}>
            {right}
          </Box>
        </Box>
      ) : (
        sections
      )}
    </Box>
  );
}

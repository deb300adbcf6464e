import { Text } from 'ink';

export interface ProgressBarProps {
  /** 0–100; null draws an empty bar marked "no progress reported". */
  readonly value: number | null;
  /** Columns of the bar itself (the percentage follows it). */
  readonly width: number;
}

/** A progress bar fed by the handler's `ctx.progress`: `[██████░░░░] 60%`. */
export function ProgressBar({ value, width }: ProgressBarProps) {
  const inner = Math.max(1, width);
  if (value === null) {
    return (
      <Text>
        [<Text color="gray">{'░'.repeat(inner)}</Text>] <Text color="gray">no progress reported</Text>
      </Text>
    );
  }
  const v = Math.max(0, Math.min(100, value));
  const full = Math.round((v / 100) * inner);
  return (
    <Text>
      [<Text color="green">{'█'.repeat(full)}</Text>
      <Text color="gray">{'░'.repeat(inner - full)}</Text>] {Math.round(v)}%
    </Text>
  );
}

import type { TaskState } from '@dtps/core';
import { Box, Text } from 'ink';
import type { OverviewBoxes } from '../state/layout.js';
import { FlowLines, type FlowView } from './FlowLines.js';
import { count, STATE_COLORS } from './format.js';

/** A chart drawn offscreen (ANSI text) with its title and the newest value of each line. */
export interface ChartPanel {
  readonly title: string;
  readonly text: string;
  readonly legend: readonly { readonly label: string; readonly color: string; readonly value: string }[];
}

export interface OverviewProps {
  readonly queue: string;
  readonly counts: Readonly<Record<TaskState, number>>;
  readonly totals: Readonly<Record<string, number>>;
  readonly liveWorkers: number;
  readonly workers: number;
  /**
   * Slots busy and in all pools of the live workers, as their last heartbeats
   * say (across all their queues). The `running` counter is another figure:
   * tasks of this queue in the running state in Redis, which includes those of
   * a worker that died until the coordinator recovers them.
   */
  readonly busy: number;
  readonly slots: number;
  readonly leader: string | null;
  /** Where the per-second figures come from. */
  readonly source: 'coordinator' | 'counters';
  readonly boxes: OverviewBoxes;
  /** The queue's pause and limits (null: not read yet). */
  readonly flow: FlowView | null;
  readonly charts: {
    readonly throughput: ChartPanel;
    readonly latency: ChartPanel;
    readonly depth: ChartPanel;
  };
  readonly width: number;
  readonly height: number;
}

const ACTIVE: TaskState[] = ['pending', 'scheduled', 'queued', 'reserved', 'running'];
const ENDED: TaskState[] = ['succeeded', 'failed', 'expired', 'cancelled'];

function Counters({
  states,
  counts,
}: {
  readonly states: TaskState[];
  readonly counts: Readonly<Record<TaskState, number>>;
}) {
  return (
    <Box>
      {states.map((s) => (
        <Text key={s}>
          <Text color={STATE_COLORS[s]}>{s}</Text> <Text bold>{count(counts[s])}</Text>
          {'  '}
        </Text>
      ))}
    </Box>
  );
}

function Panel({
  panel,
  width,
  height,
}: {
  readonly panel: ChartPanel;
  readonly width: number;
  readonly height: number;
}) {
  return (
    <Box flexDirection="column" width={width} height={height + 1} flexShrink={0} overflow="hidden">
      <Box height={1}>
        <Text bold>{panel.title}</Text>
        {panel.legend.map((l) => (
          <Text key={l.label}>
            {'  '}
            <Text color={l.color}>●</Text> {l.label} <Text bold>{l.value}</Text>
          </Text>
        ))}
      </Box>
      <Text>{panel.text}</Text>
    </Box>
  );
}

/** Counters by state, the fleet at a glance, and charts of throughput, latency and depth over time. */
export function Overview(p: OverviewProps) {
  const { boxes, charts } = p;
  const source = p.source === 'coordinator' ? "coordinator's series" : 'engine counters';
  return (
    <Box flexDirection="column" width={p.width} height={p.height} overflow="hidden">
      <Box height={1}>
        <Text wrap="truncate-end">
          <Text bold>{p.queue}</Text>
          <Text color="gray"> · </Text>
          <Text bold>{`${p.liveWorkers}/${p.workers}`}</Text>
          <Text color="gray"> workers live · </Text>
          <Text bold>{`${p.busy}/${p.slots}`}</Text>
          {/* Not the "running" count below: slots of live workers, all their queues, at their last heartbeat. */}
          <Text color="gray"> slots busy on live workers · </Text>
          <Text bold>{count(p.totals.submitted ?? 0)}</Text>
          <Text color="gray"> submitted · {source}</Text>
        </Text>
      </Box>
      <Counters states={ACTIVE} counts={p.counts} />
      <Counters states={ENDED} counts={p.counts} />
      <FlowLines flow={p.flow} width={p.width} />
      {boxes.stacked ? (
        <Box flexDirection="column">
          <Panel panel={charts.throughput} width={boxes.throughput.width} height={boxes.throughput.height} />
          <Panel panel={charts.latency} width={boxes.latency.width} height={boxes.latency.height} />
          <Panel panel={charts.depth} width={boxes.depth.width} height={boxes.depth.height} />
        </Box>
      ) : (
        <Box flexDirection="column">
          <Box>
            <Panel
              panel={charts.throughput}
              width={boxes.throughput.width}
              height={boxes.throughput.height}
            />
            <Box width={3} />
            <Panel panel={charts.latency} width={boxes.latency.width} height={boxes.latency.height} />
          </Box>
          <Panel panel={charts.depth} width={boxes.depth.width} height={boxes.depth.height} />
        </Box>
      )}
    </Box>
  );
}

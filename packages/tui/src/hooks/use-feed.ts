/**
 * The one data feed: reads what the screen needs about once a second (at
 * once when the operator opens something new) and dispatches it, one batch a
 * tick. It also reports the connection coming and going as ioredis sees it,
 * so the banner shows at once rather than at the next failed read. It only
 * dispatches.
 */
import { type Dispatch, useEffect, useRef } from 'react';
import type { FeedReader } from '../feed/reader.js';
import type { Action } from '../state/actions.js';
import { type Demand, demandKey } from '../state/selectors.js';

/** The connection events the feed listens to (an ioredis client is one). */
export interface ConnectionEvents {
  on(event: 'ready' | 'close' | 'error', listener: (err?: Error) => void): unknown;
  off(event: 'ready' | 'close' | 'error', listener: (err?: Error) => void): unknown;
}

/** How often the feed reads, ms: the idle cost of the console. */
export const FEED_INTERVAL_MS = 1000;
/** A read that takes longer than this counts as Redis lost. */
const READ_TIMEOUT_MS = 4000;

export interface FeedOptions {
  reader: FeedReader;
  demand: Demand;
  dispatch: Dispatch<Action>;
  connection?: ConnectionEvents;
  intervalMs?: number;
  /** The clock (tests move it). */
  now?: () => number;
}

export function useFeed({
  reader,
  demand,
  dispatch,
  connection,
  intervalMs = FEED_INTERVAL_MS,
  now = Date.now,
}: FeedOptions): void {
  const demandRef = useRef(demand);
  demandRef.current = demand;
  const wakeRef = useRef<() => void>(() => undefined);

  useEffect(() => {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const sleep = () =>
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, intervalMs);
        wakeRef.current = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    const loop = async () => {
      while (!stopped) {
        const started = now();
        let lostTimer: NodeJS.Timeout | undefined;
        const timeout = new Promise<Action[]>((resolve) => {
          lostTimer = setTimeout(
            () =>
              resolve([
                { type: 'connectionLost', error: `no answer within ${READ_TIMEOUT_MS / 1000} s`, at: now() },
              ]),
            READ_TIMEOUT_MS,
          );
        });
        const actions = await Promise.race([reader.read(demandRef.current, started), timeout]);
        clearTimeout(lostTimer);
        if (stopped) break;
        dispatch({ type: 'batch', actions });
        await sleep();
      }
    };
    void loop();
    return () => {
      stopped = true;
      clearTimeout(timer);
      wakeRef.current();
    };
  }, [reader, dispatch, intervalMs, now]);

  // The operator opened something that needs other data: read now, not in a second.
  const key = demandKey(demand);
  const lastKey = useRef(key);
  useEffect(() => {
    if (key === lastKey.current) return;
    lastKey.current = key;
    wakeRef.current();
  }, [key]);

  useEffect(() => {
    if (!connection) return;
    const onReady = () => {
      reader.reset();
      dispatch({ type: 'connectionUp', at: now() });
      wakeRef.current();
    };
    const onClose = () => dispatch({ type: 'connectionLost', error: 'connection closed', at: now() });
    const onError = (err?: Error) =>
      dispatch({ type: 'connectionLost', error: err?.message ?? 'connection error', at: now() });
    connection.on('ready', onReady);
    connection.on('close', onClose);
    connection.on('error', onError);
    return () => {
      connection.off('ready', onReady);
      connection.off('close', onClose);
      connection.off('error', onError);
    };
  }, [connection, reader, dispatch, now]);
}

/** A minimal Server-Sent Events reader over fetch, for tests. */

export interface SseEvent {
  event: string;
  id: string | null;
  data: string;
}

export interface SseReader {
  status: number;
  headers: Headers;
  events: SseEvent[];
  comments: string[];
  /** Resolves with the first event (seen or to come) that matches, or rejects after `timeoutMs`. */
  waitFor(pred: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  /** Resolves once a comment matching `re` arrives. */
  waitForComment(re: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
  const ctrl = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: ctrl.signal });
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of waiters) w();
  };
  let buf = '';
  const ended = (async () => {
    if (!res.body) return;
    const reader = res.body.getReader();
    const dec = new TextDecoder();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += dec.decode(value, { stream: true });
        let cut = buf.indexOf('\n\n');
        while (cut >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          const e: SseEvent = { event: 'message', id: null, data: '' };
          let hasField = false;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) {
              comments.push(line.slice(1).trim());
              continue;
            }
            const i = line.indexOf(':');
            const field = i < 0 ? line : line.slice(0, i);
            const val = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
            if (field === 'event') e.event = val;
            else if (field === 'id') e.id = val;
            else if (field === 'data') e.data += (e.data ? '\n' : '') + val;
            else continue;
            hasField = true;
          }
          if (hasField && e.data !== '') events.push(e);
          notify();
          cut = buf.indexOf('\n\n');
        }
      }
    } catch {
      // aborted by close()
    } finally {
      notify();
    }
  })();
  const waitUntil = <T>(find: () => T | undefined, timeoutMs: number, what: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const check = () => {
        const found = find();
        if (found !== undefined) {
          cleanup();
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  return {
    status: res.status,
    headers: res.headers,
    events,
    comments,
    waitFor: (pred, timeoutMs = 3000) => waitUntil(() => events.find(pred), timeoutMs, 'matching event'),
    waitForComment: (re, timeoutMs = 3000) =>
      waitUntil(() => comments.find((c) => re.test(c)), timeoutMs, 'comment'),
    ended,
    close: () => ctrl.abort(),
  };
}

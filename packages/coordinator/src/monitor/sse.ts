import type { ServerResponse } from 'node:http';

/** How long a browser's EventSource waits before it reconnects, ms (sent as `retry:`). */
const RETRY_MS = 2000;
/**
 * A client that has not taken what was written within this time is cut off
 * (it reconnects with Last-Event-ID and loses nothing): a stalled reader
 * must not hold a stream, a Redis connection and a buffer for ever.
 */
export const DRAIN_TIMEOUT_MS = 30_000;

/**
 * One Server-Sent Events response: writes events and keep-alive comments,
 * waits for the socket to drain (a slow client slows its own reader, never
 * the process; at most one event sits above the socket's buffer), cuts off
 * a client that stops reading (DRAIN_TIMEOUT_MS), and tells its owner when
 * the client has gone.
 */
export class SseStream {
  readonly #res: ServerResponse;
  readonly #keepAlive: NodeJS.Timeout;
  readonly #onClose: (() => void)[] = [];
  #closed = false;
  #wake: (() => void) | undefined;

  constructor(res: ServerResponse, keepAliveMs: number) {
    this.#res = res;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // Proxies such as nginx would otherwise buffer the stream.
      'x-accel-buffering': 'no',
    });
    res.write(`: dtps events\nretry: ${RETRY_MS}\n\n`);
    res.on('close', () => this.#markClosed());
    res.on('error', () => this.#markClosed());
    // A comment now and then keeps proxies and load balancers from closing an idle stream.
    this.#keepAlive = setInterval(() => this.comment(`keep-alive ${new Date().toISOString()}`), keepAliveMs);
    this.#keepAlive.unref();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Runs `fn` once when the stream closes, whichever side closes it. */
  onClose(fn: () => void): void {
    if (this.#closed) fn();
    else this.#onClose.push(fn);
  }

  /**
   * Writes one event (with an id, the client's Last-Event-ID moves to it);
   * resolves once the socket can take more, or the client is gone.
   */
  async send(event: string, data: unknown, id?: string): Promise<void> {
    if (this.#closed) return;
    const head = id === undefined ? '' : `id: ${id}\n`;
    const ok = this.#res.write(`${head}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    if (!ok && !this.#closed) {
      const drained = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), DRAIN_TIMEOUT_MS);
        timer.unref();
        const done = () => {
          clearTimeout(timer);
          resolve(true);
        };
        this.#res.once('drain', done);
        this.onClose(done);
      });
      if (!drained) this.end();
    }
  }

  comment(text: string): void {
    if (!this.#closed) this.#res.write(`: ${text.replace(/\n/g, ' ')}\n\n`);
  }

  /** Waits `ms`, or less when the stream closes meanwhile. */
  pause(ms: number): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Ends the response (server shutdown, reader failure). */
  end(): void {
    if (!this.#closed) this.#res.end();
    this.#markClosed();
  }

  #markClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#keepAlive);
    this.#wake?.();
    for (const fn of this.#onClose.splice(0)) fn();
  }
}

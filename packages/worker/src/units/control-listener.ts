import type { Logger } from '@dtps/core';
import { type ControlCommand, duplicateConnection, type EngineContext, type RedisClient } from '@dtps/core';

/**
 * Listens on the worker's control channel (pub/sub) and hands each command
 * to `apply`. A subscribed connection sends nothing while idle.
 */
export class ControlListener {
  #sub: RedisClient | undefined;

  constructor(
    private readonly ctx: EngineContext,
    private readonly workerId: string,
    private readonly apply: (cmd: ControlCommand) => void,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    const sub = duplicateConnection(this.ctx.redis);
    this.#sub = sub;
    sub.on('error', () => {}); // reconnects by itself; the worker logs Redis trouble elsewhere
    sub.on('message', (_channel: string, message: string) => {
      let cmd: ControlCommand;
      try {
        cmd = JSON.parse(message) as ControlCommand;
      } catch {
        this.log.warn({ message }, 'ignored a control message that is not JSON');
        return;
      }
      this.apply(cmd);
    });
    await sub.subscribe(this.ctx.fleet.control(this.workerId));
  }

  async stop(): Promise<void> {
    this.#sub?.disconnect();
    this.#sub = undefined;
  }
}

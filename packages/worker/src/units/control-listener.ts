import type { Logger } from '@dtps/core';
import {
  type ControlCommand,
  type ControlReply,
  duplicateConnection,
  type EngineContext,
  publishControlReply,
  type RedisClient,
} from '@dtps/core';

/** What applying a command reports back (for `scale`: before, after, and what changed). */
export type ControlResult = Omit<ControlReply, 'worker' | 'command'>;

/**
 * Listens on the worker's control channel (pub/sub) and hands each command
 * to `apply`. A command that carries `replyTo` gets `apply`'s result back on
 * its reply channel (the CLI prints it). A subscribed connection sends
 * nothing while idle.
 */
export class ControlListener {
  #sub: RedisClient | undefined;

  constructor(
    private readonly ctx: EngineContext,
    private readonly workerId: string,
    private readonly apply: (cmd: ControlCommand) => ControlResult | undefined,
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
      const result = this.apply(cmd);
      if (typeof cmd.replyTo === 'string') this.#reply(cmd, result);
    });
    await sub.subscribe(this.ctx.fleet.control(this.workerId));
  }

  #reply(cmd: ControlCommand, result: ControlResult | undefined): void {
    const reply: ControlReply = { worker: this.workerId, command: cmd.command, ...result };
    // On the main connection: the subscribed one may not publish.
    publishControlReply(this.ctx, cmd.replyTo!, reply).catch((err: unknown) =>
      this.log.warn({ err, command: cmd }, 'could not answer a control command'),
    );
  }

  async stop(): Promise<void> {
    this.#sub?.disconnect();
    this.#sub = undefined;
  }
}

import { Client, type DtpsConfig, engineOptionsFrom, type RedisClient, type TaskSpec } from '@dtps/core';

/**
 * Checks task specs exactly as `Client.submitMany` does (fields, refs,
 * cycles) without a connection and without writing anything: a bulk submit
 * checks every line before its first batch is written, and a plain submit
 * reports bad input as bad input even when Redis is down. Throws the core's
 * ValidationError (field `specs[i].x`) or DependencyCycleError.
 */
export async function validateSpecs(config: DtpsConfig, specs: readonly TaskSpec[]): Promise<void> {
  // Client.validate never touches the connection; it only needs the engine settings.
  const client = new Client(engineOptionsFrom(config, null as unknown as RedisClient));
  try {
    client.validate(specs);
  } finally {
    await client.close();
  }
}

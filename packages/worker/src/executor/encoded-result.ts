/**
 * A result already encoded to JSON where it was made (in a pool thread, see
 * thread-entry.ts), so that runAttempt stores it as it is instead of encoding
 * it again. Never handed to handlers.
 */
export class EncodedResult {
  constructor(readonly json: string) {}
}

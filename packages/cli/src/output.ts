import type { ReportedError } from './errors.js';

/** Where output goes; the process streams in the bin, buffers in tests. */
export interface Streams {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
}

/**
 * Human versus `--json` printing, in one place.
 *
 * Conventions (also in the help text):
 * - With `--json`, every result is one JSON object on one line of standard
 *   output (JSON Lines), so that output can be piped to `jq` line by line.
 * - Errors always go to standard error as one line, `dtps: <message>`. With
 *   `--json` the same error is ALSO printed on standard output as
 *   `{"error":{"code","message","field"}}`, so that a program reading only
 *   standard output sees why there is no result.
 */
export class Output {
  readonly json: boolean;
  readonly #streams: Streams;

  constructor(json: boolean, streams: Streams) {
    this.json = json;
    this.#streams = streams;
  }

  /** Prints a result: as one JSON line in `--json` mode, else the human text. */
  result(value: unknown, human: () => string): void {
    this.#streams.stdout.write(this.json ? `${JSON.stringify(value)}\n` : ensureNewline(human()));
  }

  /** Prints many results as JSON Lines in one write (bulk submit). */
  jsonLines(values: readonly unknown[]): void {
    // Chunked so that a huge file does not build one giant string.
    for (let i = 0; i < values.length; i += 1000) {
      this.#streams.stdout.write(
        values
          .slice(i, i + 1000)
          .map((v) => `${JSON.stringify(v)}\n`)
          .join(''),
      );
    }
  }

  /** Human-only text (hints, progress); nothing in `--json` mode. */
  note(text: string): void {
    if (!this.json) this.#streams.stdout.write(ensureNewline(text));
  }

  /** Text for standard output regardless of mode (help, version). */
  raw(text: string): void {
    this.#streams.stdout.write(ensureNewline(text));
  }

  /** Text for standard error regardless of mode (usage after a usage error). */
  rawError(text: string): void {
    this.#streams.stderr.write(ensureNewline(text));
  }

  /** Reports an error: one line on stderr, and the JSON object on stdout in `--json` mode. */
  error(report: ReportedError): void {
    this.#streams.stderr.write(`dtps: ${report.message}\n`);
    if (this.json) {
      const error = {
        code: report.code,
        message: report.message,
        ...(report.field === undefined ? {} : { field: report.field }),
        ...(report.line === undefined ? {} : { line: report.line }),
      };
      this.#streams.stdout.write(`${JSON.stringify({ error })}\n`);
    }
  }
}

function ensureNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

/** The worker logs through the shared dtps logger (pino: JSON lines or short human lines). */
export { createLogger, type Logger, prettyLine, silentLogger } from '@dtps/core';

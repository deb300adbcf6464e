import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** packages/worker/bench/results (the source folder, also when run from dist/bench). */
export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'results');

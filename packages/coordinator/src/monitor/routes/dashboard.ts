import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Where the page is: `src/monitor/static/` of the package. tsc does not copy
 * assets, so from `dist/src/monitor/routes/` it is found back under `src/`
 * (the package ships `src` as core ships `lua/`); from `src/` (tsx) it is a sibling.
 */
export const DASHBOARD_CANDIDATES = [
  join(here, '..', 'static', 'dashboard.html'),
  join(here, '..', '..', '..', '..', 'src', 'monitor', 'static', 'dashboard.html'),
];

/** Reads the page once, at start-up: a missing asset is a packaging bug that should fail loudly. */
export async function loadDashboardPage(): Promise<string> {
  for (const path of DASHBOARD_CANDIDATES) {
    try {
      return await readFile(path, 'utf8');
    } catch {
      // try the next place
    }
  }
  throw new Error(`dashboard page not found; looked in ${DASHBOARD_CANDIDATES.join(', ')}`);
}

/**
 * The page may only talk to this server and runs only its own inline code;
 * no framing (its buttons change things: no clickjacking).
 */
const CSP = [
  "default-src 'none'",
  "script-src 'unsafe-inline'",
  "style-src 'unsafe-inline'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/**
 * `GET /` and `/dashboard`: one self-contained page (inline CSS and JS, no
 * build step, no CDN). It holds no data, so it is `open`; the data it fetches
 * follows the token rule, with the token the operator types into the page.
 */
export function dashboardRoutes(app: FastifyInstance, page: string): void {
  for (const path of ['/', '/dashboard']) {
    app.get(path, { config: { open: true } }, async (_request, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .header('content-security-policy', CSP)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .send(page),
    );
  }
}

import type { FastifyInstance } from 'fastify';
import type { DashboardPage } from '../web-page.js';

/**
 * The page may only talk to this server and runs only its own script (by
 * hash: no other inline script, no script from elsewhere); no framing (its
 * buttons change things: no clickjacking).
 */
function policy(scriptHash: string): string {
  return [
    "default-src 'none'",
    `script-src ${scriptHash}`,
    "style-src 'unsafe-inline'",
    "connect-src 'self'",
    "img-src 'self' data:",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/**
 * `GET /` and `/dashboard`: one self-contained page (inline CSS and JS, no
 * CDN), assembled at start-up from src/monitor/web (docs/web.md). It holds no
 * data, so it is `open`; the data it fetches follows the token rule, with
 * the token the operator types into the page.
 */
export function dashboardRoutes(app: FastifyInstance, page: DashboardPage): void {
  const csp = policy(page.scriptHash);
  for (const path of ['/', '/dashboard']) {
    app.get(path, { config: { open: true } }, async (_request, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .header('content-security-policy', csp)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .send(page.html),
    );
  }
}

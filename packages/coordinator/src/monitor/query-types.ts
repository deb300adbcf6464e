import type { FastifyRequest } from 'fastify';

interface PropertySchema {
  type?: string | string[];
}

const NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * Query strings are text, JSON bodies are not. The validator runs without
 * type coercion so that a body's `"priority": "5"` or `"type": 7` is refused
 * as it should be; this hook gives the query string (and path parameters)
 * the only coercion they need, driven by the route's own schema: the text
 * of an integer or number field becomes a number, of a boolean field a
 * boolean, when it looks like one (otherwise validation reports the field).
 */
export async function typeQueryValues(request: FastifyRequest): Promise<void> {
  const schema = request.routeOptions.schema as
    | {
        querystring?: { properties?: Record<string, PropertySchema> };
        params?: { properties?: Record<string, PropertySchema> };
      }
    | undefined;
  if (!schema) return;
  convert(request.query, schema.querystring?.properties);
  convert(request.params, schema.params?.properties);
}

function convert(values: unknown, properties: Record<string, PropertySchema> | undefined): void {
  if (!properties || typeof values !== 'object' || values === null) return;
  const record = values as Record<string, unknown>;
  for (const [name, prop] of Object.entries(properties)) {
    const v = record[name];
    if (typeof v !== 'string') continue;
    const types = Array.isArray(prop.type) ? prop.type : [prop.type];
    if ((types.includes('integer') || types.includes('number')) && NUMBER.test(v)) record[name] = Number(v);
    else if (types.includes('boolean') && (v === 'true' || v === 'false')) record[name] = v === 'true';
  }
}

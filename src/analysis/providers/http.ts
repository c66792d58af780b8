/**
 * The HTTP call prometheus and web metrics share: undici's fetch, with TLS verification off only
 * when the metric says `insecure: true`, and network failures turned into Go-client-style
 * messages (`Post "<url>": <cause>`).
 * @module
 */
import { Agent, fetch, type RequestInit, type Response } from 'undici';
import { SlipwayError } from '../../util/errors.ts';

let insecureAgent: Agent | undefined;

/** Sends one request; `insecure` skips certificate verification for this call only. */
export async function metricFetch(
  url: string,
  init: Omit<RequestInit, 'dispatcher'> & { method: string },
  insecure: boolean,
): Promise<Response> {
  if (insecure) insecureAgent ??= new Agent({ connect: { rejectUnauthorized: false } });
  try {
    return await fetch(url, { ...init, ...(insecure && insecureAgent ? { dispatcher: insecureAgent } : {}) });
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
    const verb = init.method.charAt(0) + init.method.slice(1).toLowerCase();
    throw new SlipwayError(`${verb} "${url}": ${cause}`, {
      reason: 'MetricEndpointUnreachable',
      transient: true,
      cause: err,
    });
  }
}

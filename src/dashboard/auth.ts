// Who may talk to the dashboard. Bound to a loopback address it is reachable from this machine only;
// bound anywhere else it must have a token, and then every request carries it: `?token=`, an
// `Authorization: Bearer` or `X-Dashboard-Token` header, or the cookie the page gets when it is opened
// with `?token=` (so the browser's module imports and EventSource carry it without query strings).
// Without a token we also check the Host header against loopback names, so a web page cannot reach the
// dashboard through DNS rebinding.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

import { OptionValueError } from '../util/errors.js';

export const TOKEN_COOKIE = 'pyramid_nas_dashboard';

/** A bad dashboard option (`--port: 8080 is in use on 127.0.0.1`); `where.option` names it without dashes. */
export class DashboardOptionsError extends OptionValueError {
  constructor(option: string, reason: string) {
    super('BAD_DASHBOARD_OPTION', option, reason);
    this.name = 'DashboardOptionsError';
  }
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/** Validates host/token: a non-loopback bind without a token is refused. */
export function checkBind(host: string, token: string | undefined): void {
  if (!host) throw new DashboardOptionsError('host', 'empty host');
  if (token !== undefined) {
    if (token.length < 8) throw new DashboardOptionsError('token', 'use at least 8 characters');
    if (!/^[\x21-\x7e]+$/.test(token)) throw new DashboardOptionsError('token', 'printable ASCII without spaces only');
  }
  if (!isLoopbackHost(host) && token === undefined) {
    throw new DashboardOptionsError(
      'host',
      `${host} is not a loopback address: anyone who can reach it could read the campaign; give --token T (required on every request)`,
    );
  }
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

function sameToken(given: string | undefined, token: string): boolean {
  // Compare digests: constant time whatever the lengths.
  return given !== undefined && timingSafeEqual(digest(given), digest(token));
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export type AuthResult = { ok: true; viaQuery: boolean } | { ok: false; status: 401 | 403 | 421; message: string };

export function authorize(req: IncomingMessage, url: URL, token: string | undefined): AuthResult {
  if (token === undefined) {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (!isLoopbackHost(host))
      return { ok: false, status: 421, message: 'this dashboard answers loopback host names only' };
    return { ok: true, viaQuery: false };
  }
  const q = url.searchParams.get('token') ?? undefined;
  if (q !== undefined)
    return sameToken(q, token) ? { ok: true, viaQuery: true } : { ok: false, status: 403, message: 'wrong token' };
  const auth = req.headers.authorization;
  const bearer = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
  const header = req.headers['x-dashboard-token'];
  const given =
    bearer ?? (typeof header === 'string' ? header : undefined) ?? cookieValue(req.headers.cookie, TOKEN_COOKIE);
  if (given === undefined)
    return { ok: false, status: 401, message: 'token required (?token=, Authorization: Bearer, or X-Dashboard-Token)' };
  return sameToken(given, token) ? { ok: true, viaQuery: false } : { ok: false, status: 403, message: 'wrong token' };
}

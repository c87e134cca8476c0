import { randomUUID } from 'node:crypto';
import { type RunningApi } from './http';

/** DESIGN.md invariant 1: the only routes reachable without a token (besides the docs). */
export const PUBLIC_ROUTES = new Set([
  'GET /health/live',
  'GET /health/ready',
  'POST /v1/auth/login',
  'POST /v1/auth/invitations/accept',
  'GET /v1/auth/oidc/:districtId/start',
  'GET /v1/auth/oidc/callback',
  'POST /v1/auth/oidc/exchange',
]);

export const isDocs = (path: string) => path === '/docs' || path.startsWith('/docs/');

interface RouteLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

export interface RegisteredRoute {
  method: string;
  /** Express's pattern, e.g. `/v1/conversations/:conversationId/messages`. */
  path: string;
}

/** Every route the running application registered, read from Express's router. */
export function registeredRoutes(api: RunningApi): RegisteredRoute[] {
  const express = api.app.getHttpAdapter().getInstance() as { router: { stack: RouteLayer[] } };
  return express.router.stack
    .filter((layer) => layer.route)
    .flatMap((layer) =>
      Object.keys(layer.route!.methods)
        .filter((m) => m !== '_all')
        .map((method) => ({ method: method.toUpperCase(), path: layer.route!.path })),
    );
}

/** The pattern with each parameter filled in by `fill` (a fresh random UUID by default). */
export function concrete(path: string, fill: (name: string) => string = () => randomUUID()): string {
  return path.replace(/:([A-Za-z]+)/g, (_match, name: string) => fill(name));
}

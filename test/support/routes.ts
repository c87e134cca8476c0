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

/**
 * Every route of the contract (API.md), the docs aside, written out by hand: a route the app adds,
 * drops or renames fails the inventory test until it is listed here, so the sweeps that walk the routes
 * (401 without a token, bad input, the OpenAPI document) can never walk an empty or partial list.
 */
export const ROUTE_INVENTORY: readonly string[] = [
  'GET /health/live',
  'GET /health/ready',
  'GET /v1/sections',
  'GET /v1/sections/:sectionId/members',
  'POST /v1/conversations',
  'GET /v1/conversations',
  'GET /v1/conversations/:conversationId/messages',
  'POST /v1/conversations/:conversationId/messages',
  'POST /v1/messages/:messageId/read',
  'POST /v1/messages/:messageId/report',
  'POST /v1/sections/:sectionId/announcements',
  'GET /v1/announcements',
  'GET /v1/announcements/:announcementId',
  'POST /v1/announcements/:announcementId/read',
  'POST /v1/announcements/:announcementId/replies',
  'POST /v1/admin/announcements/:announcementId/retract',
  'POST /v1/attachments',
  'GET /v1/attachments/:id',
  'POST /v1/attachments/:id/links',
  'GET /v1/attachments/:id/content/:token',
  'GET /v1/admin/alerts',
  'GET /v1/admin/conversations/:conversationId/messages',
  'GET /v1/admin/audit',
  'GET /v1/admin/audit/verify',
  'POST /v1/auth/login',
  'POST /v1/auth/invitations/accept',
  'POST /v1/auth/logout',
  'POST /v1/auth/totp/enroll',
  'POST /v1/auth/totp/verify',
  'GET /v1/auth/sessions',
  'DELETE /v1/auth/sessions/:sessionId',
  'POST /v1/auth/password',
  'POST /v1/auth/recovery-codes',
  'GET /v1/auth/oidc/:districtId/start',
  'GET /v1/auth/oidc/callback',
  'POST /v1/auth/oidc/exchange',
  'GET /v1/me',
  'PATCH /v1/me',
  'GET /v1/admin/users',
  'POST /v1/admin/users/:userId/invitations',
  'POST /v1/admin/users/:userId/password-reset',
  'POST /v1/admin/users/:userId/suspend',
  'POST /v1/admin/users/:userId/reinstate',
  'POST /v1/admin/roster/imports',
  'GET /v1/admin/roster/imports/:importId',
  'POST /v1/admin/roster/imports/:importId/confirm',
  'POST /v1/admin/roster/imports/:importId/discard',
  'GET /v1/admin/roster/settings',
  'PUT /v1/admin/roster/settings',
];

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

const routeName = (route: RegisteredRoute) => `${route.method} ${route.path}`;

/**
 * The registered routes, the docs aside, after checking they are exactly {@link ROUTE_INVENTORY}: a
 * sweep over them then covers every route of the contract, and an app that registered nothing (or
 * something unlisted) fails the sweep instead of passing it vacuously.
 */
export function inventoriedRoutes(api: RunningApi): RegisteredRoute[] {
  const routes = registeredRoutes(api).filter((route) => !isDocs(route.path));
  const registered = new Set(routes.map(routeName));
  const missing = ROUTE_INVENTORY.filter((name) => !registered.has(name));
  const unlisted = [...registered].filter((name) => !ROUTE_INVENTORY.includes(name));
  if (missing.length > 0 || unlisted.length > 0 || routes.length !== ROUTE_INVENTORY.length) {
    throw new Error(
      `the registered routes differ from ROUTE_INVENTORY: missing ${JSON.stringify(missing)}, unlisted ${JSON.stringify(unlisted)}`,
    );
  }
  return routes;
}

/** The pattern with each parameter filled in by `fill` (a fresh random UUID by default). */
export function concrete(path: string, fill: (name: string) => string = () => randomUUID()): string {
  return path.replace(/:([A-Za-z]+)/g, (_match, name: string) => fill(name));
}

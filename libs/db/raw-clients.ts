import { type HomeroomPrismaClient } from './prisma';

// Which Prisma client each Database owns. Only libs/db/testing.ts reads it, so tests can inspect rows
// while no product code outside libs/db can reach the client.
const clients = new WeakMap<object, HomeroomPrismaClient>();

export function registerClient(owner: object, client: HomeroomPrismaClient): void {
  clients.set(owner, client);
}

export function registeredClient(owner: object): HomeroomPrismaClient {
  const client = clients.get(owner);
  if (!client) throw new Error('not a Database opened by libs/db');
  return client;
}

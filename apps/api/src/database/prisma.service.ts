import { type HomeroomPrismaClient } from '../../../../libs/db/prisma';

/** The one Prisma client of the API process (built by the composition root); readiness pings it. */
export class PrismaService {
  constructor(readonly client: HomeroomPrismaClient) {}
}

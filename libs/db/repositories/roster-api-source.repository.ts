import { type DbClient } from '../db-client';

export interface RosterApiSourceRecord {
  baseUrl: string;
  tokenUrl: string;
  clientId: string;
  secretRef: string;
  schedule: string;
  updatedAt: Date;
}

const RECORD = {
  baseUrl: true,
  tokenUrl: true,
  clientId: true,
  secretRef: true,
  schedule: true,
  updatedAt: true,
} as const;

/** A district's OneRoster REST source (at most one). Settings arrive validated; the secret is only named. */
export class RosterApiSourceRepository {
  constructor(
    private readonly prisma: DbClient,
    private readonly districtId: string,
  ) {}

  find(): Promise<RosterApiSourceRecord | null> {
    return this.prisma.rosterApiSource.findUnique({ where: { districtId: this.districtId }, select: RECORD });
  }

  save(settings: Omit<RosterApiSourceRecord, 'updatedAt'>): Promise<RosterApiSourceRecord> {
    return this.prisma.rosterApiSource.upsert({
      where: { districtId: this.districtId },
      create: { districtId: this.districtId, ...settings },
      update: { ...settings, updatedAt: new Date() },
      select: RECORD,
    });
  }

  /** True when there was a source to remove. */
  async remove(): Promise<boolean> {
    const { count } = await this.prisma.rosterApiSource.deleteMany({
      where: { districtId: this.districtId },
    });
    return count === 1;
  }
}

/** Every district's source, for the worker's start-up (one Schedule each). */
export class RosterApiSourcesRepository {
  constructor(private readonly prisma: DbClient) {}

  all(): Promise<(RosterApiSourceRecord & { districtId: string })[]> {
    return this.prisma.rosterApiSource.findMany({
      select: { ...RECORD, districtId: true },
      orderBy: { districtId: 'asc' },
    });
  }
}

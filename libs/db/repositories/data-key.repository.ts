import { type DataKeyRecord, type DataKeyStore } from '../../crypto/data-key-store';
import { type DbClient } from '../db-client';

const RECORD = { id: true, districtId: true, masterKeyId: true, wrappedKey: true } as const;

/**
 * The crypto library's DataKeyStore over the data_keys table. Not tenant-scoped: a ciphertext names
 * its data key by id, and key rotation works across all districts. Nothing here returns a key in the
 * clear; FieldCipher unwraps.
 */
export class DataKeyRepository implements DataKeyStore {
  constructor(private readonly prisma: DbClient) {}

  /**
   * The oldest key by createdAt, then id: deterministic, so when two processes race to create a
   * district's first key, both keep the same one and the other key simply stays unused.
   */
  findActive(districtId: string): Promise<DataKeyRecord | null> {
    return this.prisma.dataKey.findFirst({
      where: { districtId },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      select: RECORD,
    });
  }

  async create(districtId: string, masterKeyId: string, wrappedKey: Buffer): Promise<string> {
    const created = await this.prisma.dataKey.create({
      data: { districtId, masterKeyId, wrappedKey: new Uint8Array(wrappedKey) },
      select: { id: true },
    });
    return created.id;
  }

  get(id: string): Promise<DataKeyRecord | null> {
    return this.prisma.dataKey.findUnique({ where: { id }, select: RECORD });
  }

  listNotWrappedUnder(masterKeyId: string): Promise<DataKeyRecord[]> {
    return this.prisma.dataKey.findMany({
      where: { masterKeyId: { not: masterKeyId } },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      select: RECORD,
    });
  }

  async rewrap(id: string, masterKeyId: string, wrappedKey: Buffer): Promise<void> {
    await this.prisma.dataKey.update({
      where: { id },
      data: { masterKeyId, wrappedKey: new Uint8Array(wrappedKey), rewrappedAt: new Date() },
    });
  }
}

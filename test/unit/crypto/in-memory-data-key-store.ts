import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { type DataKeyRecord, type DataKeyStore } from '../../../libs/crypto/data-key-store';

/**
 * How a second key for the same district is treated: refused like a unique index on districtId, or
 * kept, with the first one created staying the district's active key.
 */
export type DuplicateKeyPolicy = 'reject' | 'keep-first-active';

/**
 * The DataKeyStore contract over a Map, for unit tests only. Every call yields to the event loop first,
 * like a database round trip, so concurrent callers really interleave.
 */
export class InMemoryDataKeyStore implements DataKeyStore {
  readonly records = new Map<string, DataKeyRecord>();
  readonly calls = { findActive: 0, create: 0, get: 0 };

  constructor(private readonly duplicates: DuplicateKeyPolicy = 'reject') {}

  async findActive(districtId: string): Promise<DataKeyRecord | null> {
    this.calls.findActive += 1;
    await nextTurn();
    return this.copy(this.districtKeys(districtId)[0]);
  }

  async create(districtId: string, masterKeyId: string, wrappedKey: Buffer): Promise<string> {
    this.calls.create += 1;
    await nextTurn();
    if (this.duplicates === 'reject' && this.districtKeys(districtId).length > 0) {
      throw new Error(`unique constraint failed on DataKey.districtId (${districtId})`);
    }
    const id = randomUUID();
    this.records.set(id, { id, districtId, masterKeyId, wrappedKey: Buffer.from(wrappedKey) });
    return id;
  }

  async get(id: string): Promise<DataKeyRecord | null> {
    this.calls.get += 1;
    await nextTurn();
    return this.copy(this.records.get(id));
  }

  async listNotWrappedUnder(masterKeyId: string): Promise<DataKeyRecord[]> {
    await nextTurn();
    return [...this.records.values()]
      .filter((record) => record.masterKeyId !== masterKeyId)
      .map((record) => this.copy(record) as DataKeyRecord);
  }

  async rewrap(id: string, masterKeyId: string, wrappedKey: Buffer): Promise<void> {
    await nextTurn();
    const record = this.records.get(id);
    if (!record) throw new Error(`data key ${id} does not exist`);
    this.records.set(id, { ...record, masterKeyId, wrappedKey: Buffer.from(wrappedKey) });
  }

  /** Map iteration follows insertion order, so the first element is the oldest key. */
  private districtKeys(districtId: string): DataKeyRecord[] {
    return [...this.records.values()].filter((record) => record.districtId === districtId);
  }

  private copy(record: DataKeyRecord | undefined): DataKeyRecord | null {
    return record ? { ...record, wrappedKey: Buffer.from(record.wrappedKey) } : null;
  }
}

import { randomBytes } from 'node:crypto';
import { KEY_BYTES, open, seal } from './aes-gcm';
import { type DataKeyRecord, type DataKeySource } from './data-key-store';
import { DecryptionError, UnknownKeyError } from './errors';
import { type KeyWrapper } from './key-wrapper';
import { TtlLruCache } from './ttl-lru-cache';

export interface DataKey {
  id: string;
  key: Buffer;
}

export interface FieldCipherOptions {
  /** Unwrapped data keys held in memory at most; default 1,000. */
  cacheMaxEntries?: number;
  /** How long an unwrapped data key stays cached; default 5 minutes. */
  cacheTtlMs?: number;
  now?: () => number;
}

/**
 * Envelope encryption of database fields (message bodies, translations): each district has one data
 * key, created on first use and stored wrapped under a master key; fields are AES-256-GCM sealed under
 * it in the layout `version (1) | IV (12) | ciphertext | tag (16)`.
 *
 * The AAD names the row a ciphertext belongs to (`message:<id>`), so a ciphertext copied into another
 * row fails to decrypt instead of showing one person's message to another.
 *
 * Attachment streams use the same data keys through {@link districtDataKey} and {@link dataKey}.
 */
export class FieldCipher {
  private readonly keysById: TtlLruCache<string, Buffer>;
  private readonly keyIdByDistrict: TtlLruCache<string, string>;
  // Concurrent requests for a key not yet cached share one store read and one unwrap.
  private readonly inFlight = new Map<string, Promise<DataKey>>();

  constructor(
    private readonly store: DataKeySource,
    private readonly wrapper: KeyWrapper,
    options: FieldCipherOptions = {},
  ) {
    const maxEntries = options.cacheMaxEntries ?? 1_000;
    const ttlMs = options.cacheTtlMs ?? 5 * 60_000;
    this.keysById = new TtlLruCache(maxEntries, ttlMs, options.now);
    this.keyIdByDistrict = new TtlLruCache(maxEntries, ttlMs, options.now);
  }

  async encrypt(
    districtId: string,
    plaintext: string,
    aad: string,
  ): Promise<{ ciphertext: Buffer; dataKeyId: string }> {
    const dataKey = await this.districtDataKey(districtId);
    return {
      ciphertext: seal(dataKey.key, Buffer.from(plaintext, 'utf8'), rowAad(aad)),
      dataKeyId: dataKey.id,
    };
  }

  async decrypt(dataKeyId: string, ciphertext: Uint8Array, aad: string): Promise<string> {
    const key = await this.dataKey(dataKeyId);
    try {
      return open(key, ciphertext, rowAad(aad)).toString('utf8');
    } catch (error) {
      if (error instanceof DecryptionError) {
        throw new DecryptionError(`field ciphertext for ${aad} could not be decrypted: ${error.message}`);
      }
      throw error;
    }
  }

  /** The district's data key, created (and wrapped under the active master key) on first use. */
  async districtDataKey(districtId: string): Promise<DataKey> {
    const cachedId = this.keyIdByDistrict.get(districtId);
    const cachedKey = cachedId === undefined ? undefined : this.keysById.get(cachedId);
    if (cachedId !== undefined && cachedKey) return { id: cachedId, key: cachedKey };
    const dataKey = await this.once(`district:${districtId}`, () => this.loadOrCreateDistrictKey(districtId));
    this.keyIdByDistrict.set(districtId, dataKey.id);
    return dataKey;
  }

  /** The unwrapped data key a ciphertext or blob names; throws {@link UnknownKeyError} if none exists. */
  async dataKey(dataKeyId: string): Promise<Buffer> {
    const cached = this.keysById.get(dataKeyId);
    if (cached) return cached;
    const dataKey = await this.once(`key:${dataKeyId}`, async () => {
      const record = await this.store.get(dataKeyId);
      if (!record) throw new UnknownKeyError(`data key "${dataKeyId}" does not exist`);
      return this.unwrapRecord(record);
    });
    return dataKey.key;
  }

  private async loadOrCreateDistrictKey(districtId: string): Promise<DataKey> {
    const existing = await this.store.findActive(districtId);
    if (existing) return this.unwrapRecord(existing);

    const key = randomBytes(KEY_BYTES);
    const { masterKeyId, wrappedKey } = await this.wrapper.wrap(key);
    let createdId: string | undefined;
    let createError: unknown;
    try {
      createdId = await this.store.create(districtId, masterKeyId, wrappedKey);
    } catch (error) {
      createError = error;
    }
    // The store decides which key is the district's: another process may have created one between our
    // read and our insert, whether or not the store rejected our insert because of it.
    const winner = await this.store.findActive(districtId);
    if (!winner) {
      throw (
        createError ??
        new UnknownKeyError(`the data key created for district ${districtId} cannot be read back`)
      );
    }
    if (winner.id !== createdId) return this.unwrapRecord(winner);
    this.keysById.set(winner.id, key);
    return { id: winner.id, key };
  }

  private async unwrapRecord(record: DataKeyRecord): Promise<DataKey> {
    const key = await this.wrapper.unwrap(record.masterKeyId, record.wrappedKey);
    this.keysById.set(record.id, key);
    return { id: record.id, key };
  }

  private async once(flightKey: string, load: () => Promise<DataKey>): Promise<DataKey> {
    const pending = this.inFlight.get(flightKey);
    if (pending) return pending;
    const started = load().finally(() => this.inFlight.delete(flightKey));
    this.inFlight.set(flightKey, started);
    return started;
  }
}

function rowAad(aad: string): Buffer {
  if (aad === '') throw new RangeError('aad must name the row the ciphertext belongs to, e.g. message:<id>');
  return Buffer.from(aad, 'utf8');
}

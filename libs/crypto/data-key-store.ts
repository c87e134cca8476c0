/** One district's data key as stored: only ever the wrapped form, never the key itself. */
export interface DataKeyRecord {
  id: string;
  districtId: string;
  /** The master key `wrappedKey` is wrapped under (a MASTER_KEYS id, or a KMS key ARN). */
  masterKeyId: string;
  wrappedKey: Uint8Array;
}

/**
 * The field cipher's port for loading and creating wrapped data keys. The database layer implements it
 * over the DataKey table (`id`, `districtId`, `masterKeyId`, `wrappedKey`) and each process's
 * composition root wires the two: the crypto library never sees the client or a repository.
 */
export interface DataKeySource {
  /**
   * The district's data key, or null before the district's first encryption. Must return the same key
   * to every caller once one exists (e.g. the oldest by createdAt, then id).
   */
  findActive(districtId: string): Promise<DataKeyRecord | null>;
  /**
   * Inserts a data key for the district and returns its new id. Concurrent first uses race here, and
   * the store is the arbiter: it may reject the losing insert (unique index on districtId) or keep it,
   * as long as {@link findActive} then names one winner; callers re-read and use that winner.
   */
  create(districtId: string, masterKeyId: string, wrappedKey: Buffer): Promise<string>;
  get(id: string): Promise<DataKeyRecord | null>;
}

/** The source plus what a master-key rotation needs: the same table, rewrapped in place. */
export interface DataKeyStore extends DataKeySource {
  /** Every data key wrapped under a master key other than `masterKeyId`: the work list of a rotation. */
  listNotWrappedUnder(masterKeyId: string): Promise<DataKeyRecord[]>;
  /** Replaces the wrapping of a data key; the data key itself, and so every ciphertext, is unchanged. */
  rewrap(id: string, masterKeyId: string, wrappedKey: Buffer): Promise<void>;
}

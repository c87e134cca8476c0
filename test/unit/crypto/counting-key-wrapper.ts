import { type KeyWrapper } from '../../../libs/crypto/key-wrapper';

/** Passes every call to a real wrapper and counts them, to prove when the cache spares an unwrap. */
export class CountingKeyWrapper implements KeyWrapper {
  wraps = 0;
  unwraps = 0;

  constructor(private readonly inner: KeyWrapper) {}

  get activeKeyId(): string {
    return this.inner.activeKeyId;
  }

  async wrap(dataKey: Buffer): Promise<{ masterKeyId: string; wrappedKey: Buffer }> {
    this.wraps += 1;
    return this.inner.wrap(dataKey);
  }

  async unwrap(masterKeyId: string, wrappedKey: Uint8Array): Promise<Buffer> {
    this.unwraps += 1;
    return this.inner.unwrap(masterKeyId, wrappedKey);
  }
}

import { type FieldCipher } from '../crypto/envelope';
import { base32Decode, base32Encode } from './totp';

export interface SealedTotpSecret {
  ciphertext: Buffer;
  dataKeyId: string;
}

/**
 * TOTP secrets at rest: sealed under the district's data key with the AAD `totp:<userId>`, so a
 * ciphertext copied onto another user's row does not decrypt there.
 */
export class TotpSecretBox {
  constructor(private readonly cipher: FieldCipher) {}

  seal(districtId: string, userId: string, secret: Uint8Array): Promise<SealedTotpSecret> {
    return this.cipher.encrypt(districtId, base32Encode(secret), aad(userId));
  }

  async open(userId: string, sealed: { ciphertext: Uint8Array; dataKeyId: string }): Promise<Buffer> {
    return base32Decode(await this.cipher.decrypt(sealed.dataKeyId, sealed.ciphertext, aad(userId)));
  }
}

function aad(userId: string): string {
  return `totp:${userId}`;
}

import { type FieldCipher } from '../crypto/envelope';
import { bodyAad } from './message-body';

export interface SealedBody {
  bodyCiphertext: Buffer;
  dataKeyId: string;
}

interface StoredBody {
  id: string;
  bodyCiphertext: Uint8Array;
  dataKeyId: string;
}

/**
 * Message and announcement bodies at rest: AES-256-GCM under the district's data key (envelope
 * encryption, libs/crypto), each sealed to its row's id. Ids are therefore chosen before the insert.
 */
export class BodyCipher {
  constructor(private readonly cipher: FieldCipher) {}

  async sealMessage(districtId: string, messageId: string, body: string): Promise<SealedBody> {
    return this.seal(districtId, bodyAad.message(messageId), body);
  }

  openMessage(row: StoredBody): Promise<string> {
    return this.cipher.decrypt(row.dataKeyId, row.bodyCiphertext, bodyAad.message(row.id));
  }

  async sealAnnouncement(districtId: string, announcementId: string, body: string): Promise<SealedBody> {
    return this.seal(districtId, bodyAad.announcement(announcementId), body);
  }

  openAnnouncement(row: StoredBody): Promise<string> {
    return this.cipher.decrypt(row.dataKeyId, row.bodyCiphertext, bodyAad.announcement(row.id));
  }

  private async seal(districtId: string, aad: string, body: string): Promise<SealedBody> {
    const { ciphertext, dataKeyId } = await this.cipher.encrypt(districtId, body, aad);
    return { bodyCiphertext: ciphertext, dataKeyId };
  }
}

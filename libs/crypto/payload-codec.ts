import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { assertAes256Key, open, seal } from './aes-gcm';
import { DecryptionError, KeyConfigError, UnknownKeyError } from './errors';
import { decodeKey, parseKeyList, validateKeyId } from './key-config';

/** The `encoding` metadata of every payload this codec writes; tests assert histories hold only this. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Metadata naming the codec key a payload was encrypted with, so old histories stay readable after rotation. */
export const ENCRYPTION_KEY_ID_METADATA = 'encryption-key-id';

/** Domain separation: a sealed payload cannot be passed off as any other kind of Homeroom ciphertext. */
const PAYLOAD_AAD = Buffer.from('homeroom:temporal-payload:v1');

export interface CodecKey {
  keyId: string;
  key: Buffer;
}

/**
 * Encrypts whole Temporal payloads (data and metadata, serialized as `temporal.api.common.v1.Payload`)
 * with AES-256-GCM, so the server's history holds only ciphertext. Encodes with the active key; decodes
 * with the active key or any previous key, which is how the codec key is rotated without breaking
 * running or archived workflows. Payloads that are not encrypted pass through decode unchanged, as in
 * Temporal's samples, so histories written before the codec was enabled stay readable; encryption here
 * protects confidentiality of what Homeroom writes, it does not authenticate who wrote a payload.
 */
export class AesGcmPayloadCodec implements PayloadCodec {
  readonly activeKeyId: string;
  private readonly activeKey: Buffer;
  private readonly keys = new Map<string, Buffer>();

  constructor(active: CodecKey, previousKeys: readonly CodecKey[] = []) {
    for (const { keyId, key } of [active, ...previousKeys]) {
      if (keyId === '') throw new RangeError('payload codec key ids must not be empty');
      if (this.keys.has(keyId)) throw new RangeError(`payload codec key id "${keyId}" is used twice`);
      assertAes256Key(key, `payload codec key "${keyId}"`);
      this.keys.set(keyId, Buffer.from(key));
    }
    this.activeKeyId = active.keyId;
    this.activeKey = Buffer.from(active.key);
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => ({
      metadata: {
        [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING),
        [ENCRYPTION_KEY_ID_METADATA]: Buffer.from(this.activeKeyId),
      },
      data: seal(this.activeKey, temporal.api.common.v1.Payload.encode(payload).finish(), PAYLOAD_AAD),
    }));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decodeOne(payload));
  }

  private decodeOne(payload: Payload): Payload {
    const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
    if (!encoding || Buffer.from(encoding).toString() !== ENCRYPTED_ENCODING) {
      return payload;
    }
    const keyIdBytes = payload.metadata?.[ENCRYPTION_KEY_ID_METADATA];
    if (!keyIdBytes) {
      throw new DecryptionError(`encrypted payload has no "${ENCRYPTION_KEY_ID_METADATA}" metadata`);
    }
    const keyId = Buffer.from(keyIdBytes).toString();
    const key = this.keys.get(keyId);
    if (!key) {
      throw new UnknownKeyError(
        `payload was encrypted with codec key "${keyId}", which is neither the active key "${this.activeKeyId}" nor a configured previous key`,
      );
    }
    if (!payload.data) {
      throw new DecryptionError(`encrypted payload (codec key "${keyId}") has no data`);
    }
    const plaintext = open(key, payload.data, PAYLOAD_AAD);
    return temporal.api.common.v1.Payload.decode(plaintext);
  }
}

export interface PayloadCodecConfig {
  /** PAYLOAD_CODEC_KEY_ID */
  keyId: string;
  /** PAYLOAD_CODEC_KEY: base64 of 32 bytes */
  key: string;
  /** PAYLOAD_CODEC_PREVIOUS_KEYS: `id:base64,id2:base64`, keys retired from encoding but still read */
  previousKeys?: string;
}

/** Builds the codec from configuration strings; errors name the variable to fix. */
export function createPayloadCodec(config: PayloadCodecConfig): AesGcmPayloadCodec {
  const keyId = validateKeyId('PAYLOAD_CODEC_KEY_ID', config.keyId);
  const key = decodeKey('PAYLOAD_CODEC_KEY', config.key);
  const previous = parseKeyList('PAYLOAD_CODEC_PREVIOUS_KEYS', config.previousKeys);
  if (previous.has(keyId)) {
    throw new KeyConfigError('PAYLOAD_CODEC_PREVIOUS_KEYS', `must not repeat the active key id "${keyId}"`);
  }
  return new AesGcmPayloadCodec(
    { keyId, key },
    [...previous].map(([previousKeyId, previousKey]) => ({ keyId: previousKeyId, key: previousKey })),
  );
}

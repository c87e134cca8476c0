export {
  BLOB_CHUNK_BYTES,
  BLOB_FORMAT_VERSION,
  BLOB_MAGIC,
  createDecryptStream,
  createEncryptStream,
} from './blob-stream';
export { type DataKeyRecord, type DataKeySource, type DataKeyStore } from './data-key-store';
export { createFieldCipher } from './field-cipher';
export { type DataKey, FieldCipher, type FieldCipherOptions } from './envelope';
export { DecryptionError, KeyConfigError, UnknownKeyError } from './errors';
export { constantTimeEqual, hashToken, randomToken, sha256Hex } from './hashing';
export { rewrapAll } from './key-rotation';
export { type KeyWrapper, LocalKeyWrapper } from './key-wrapper';
export { type MasterKeyEnv, type MasterKeyRing, parseMasterKeyRing } from './master-key-ring';
export {
  AesGcmPayloadCodec,
  type CodecKey,
  createPayloadCodec,
  ENCRYPTED_ENCODING,
  ENCRYPTION_KEY_ID_METADATA,
  type PayloadCodecConfig,
} from './payload-codec';

export { assertBlobKey, BlobNotFoundError, type BlobStore } from './blob-store';
export {
  type BlobKeys,
  type EncryptedBlobTarget,
  openEncryptedBlob,
  readEncryptedBlob,
  writeEncryptedBlob,
} from './encrypted-blobs';
export { LocalDirectoryBlobStore } from './local-directory-blob-store';

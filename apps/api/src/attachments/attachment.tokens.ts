/** Injection tokens of the attachments context: where blobs are stored and the keys that seal them. */
export const ATTACHMENT_BLOB_STORE = Symbol('ATTACHMENT_BLOB_STORE');
export const ATTACHMENT_BLOB_KEYS = Symbol('ATTACHMENT_BLOB_KEYS');

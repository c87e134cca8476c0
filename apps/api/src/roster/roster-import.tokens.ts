/** Injection tokens of the roster context: where uploaded exports are stored and the keys that seal them. */
export const ROSTER_BLOB_STORE = Symbol('ROSTER_BLOB_STORE');
export const ROSTER_BLOB_KEYS = Symbol('ROSTER_BLOB_KEYS');

/** Injection tokens for values that are not classes. */
export const API_CONFIG = Symbol('API_CONFIG');
export const LOGGER = Symbol('LOGGER');
/** The process's composition root (apps/api/src/composition.ts). */
export const API_COMPOSITION = Symbol('API_COMPOSITION');
/** The one blob store of the process (STORAGE_BACKEND). */
export const BLOB_STORE = Symbol('BLOB_STORE');
/** The process's Prometheus metrics (libs/logging/metrics.ts), served on the operator listener. */
export const API_METRICS = Symbol('API_METRICS');

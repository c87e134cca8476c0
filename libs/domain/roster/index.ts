export {
  parseOneRosterZip,
  DEFAULT_MAX_ENTRIES,
  DEFAULT_MAX_UNCOMPRESSED_BYTES,
} from './parse-oneroster-zip';
export { homeroomRole } from './snapshot-builder';
export { countSnapshot, type RosterCounts } from './snapshot-counts';
export * from './types';

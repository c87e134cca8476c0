import {
  ConfigError,
  type EnvironmentConfig,
  s3EndpointProblem,
  type StorageConfig,
} from '../../config/config';
import { type BlobStore } from './blob-store';
import { LocalDirectoryBlobStore } from './local-directory-blob-store';
import { S3BlobStore, createS3Client } from './s3-blob-store';

/**
 * The blob store the configuration names: STORAGE_DIR for `local`, the S3 bucket with SSE-KMS for
 * `s3`. The configuration was validated at start-up; the checks here only keep a hand-made config
 * (a test, a script) from reaching a backend half-configured or an endpoint elsewhere.
 */
export function createBlobStore(config: StorageConfig & EnvironmentConfig): BlobStore {
  if (config.STORAGE_BACKEND === 'local') {
    if (!config.STORAGE_DIR) throw new ConfigError(['STORAGE_DIR: is required']);
    return new LocalDirectoryBlobStore(config.STORAGE_DIR);
  }
  const { S3_BUCKET, S3_REGION, S3_KMS_KEY_ID, S3_ENDPOINT } = config;
  if (!S3_BUCKET || !S3_REGION || !S3_KMS_KEY_ID) {
    throw new ConfigError(['S3_BUCKET, S3_REGION, S3_KMS_KEY_ID: are required when STORAGE_BACKEND is s3']);
  }
  const endpointProblem = S3_ENDPOINT && s3EndpointProblem(S3_ENDPOINT, config.HOMEROOM_ENV);
  if (endpointProblem) throw new ConfigError([`S3_ENDPOINT: ${endpointProblem}`]);
  return new S3BlobStore(
    createS3Client({
      region: S3_REGION,
      ...(S3_ENDPOINT ? { endpoint: S3_ENDPOINT } : {}),
      forcePathStyle: config.S3_FORCE_PATH_STYLE,
    }),
    { bucket: S3_BUCKET, kmsKeyId: S3_KMS_KEY_ID },
  );
}

import { type Readable, Transform } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { assertBlobKey, BlobNotFoundError, type BlobStore } from './blob-store';

export interface S3ClientSettings {
  region: string;
  /** A loopback stand-in (local and test environments only, checked by the configuration). */
  endpoint?: string;
  forcePathStyle: boolean;
}

/**
 * The S3 client for the blob store. `ignoreConfiguredEndpointUrls`: AWS_ENDPOINT_URL(_S3) and shared
 * config files cannot send blobs anywhere but the region's S3 (or the configured stand-in). Credentials
 * come from the SDK's chain (environment, web identity, instance or task role).
 */
export function createS3Client(settings: S3ClientSettings): S3Client {
  return new S3Client({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    forcePathStyle: settings.forcePathStyle,
    ignoreConfiguredEndpointUrls: true,
    // No request timeout: it is an idle timeout on the socket, and a slow reader of a download (clamd
    // busy with another file) pauses the socket legitimately.
    requestHandler: { connectionTimeout: 5_000 },
  });
}

export interface S3BlobStoreOptions {
  bucket: string;
  /** Every object is written with SSE-KMS under this key (id, ARN or alias). */
  kmsKeyId: string;
  /** Bytes per multipart part (S3's minimum is 5 MiB); default 8 MiB. */
  partSizeBytes?: number;
  /** Parts in flight at once; an upload holds at most partSize × (queueSize + 1) in memory. Default 2. */
  queueSize?: number;
}

const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
const DEFAULT_QUEUE_SIZE = 2;

/**
 * Blobs as objects in one private S3 bucket (production). Blobs arrive already sealed by the
 * application (HRB1, encrypted-blobs.ts); SSE-KMS on every object is the second wall, so that a copy
 * of the bucket without the KMS key is unreadable too.
 *
 * What the bucket must be (the store never sets or requests an ACL, it relies on the bucket):
 * - S3 Block Public Access on (all four settings) and Object Ownership `BucketOwnerEnforced`, so ACLs
 *   are disabled and no object can ever be made public by a request;
 * - a bucket policy denying PutObject without `s3:x-amz-server-side-encryption = aws:kms` (defence in
 *   depth for writers other than this store);
 * - unversioned (or a short NoncurrentVersionExpiration rule): quarantined and orphaned blobs must be
 *   gone when deleted, not kept as older versions;
 * - a lifecycle rule `AbortIncompleteMultipartUpload` (1 day) for uploads cut off by a crash;
 * - the service's role allowed s3:GetObject, PutObject, DeleteObject, AbortMultipartUpload and
 *   ListBucket (without ListBucket, S3 answers 403 instead of 404 for a missing key, and `exists`
 *   and `get` then fail instead of answering "not there"), and kms:GenerateDataKey and kms:Decrypt on
 *   the key.
 *
 * A blob appears only when its upload completes (a single PutObject, or CompleteMultipartUpload), so
 * readers never see half of one; a failed upload aborts its multipart upload.
 */
export class S3BlobStore implements BlobStore {
  private readonly partSize: number;
  private readonly queueSize: number;

  constructor(
    private readonly client: S3Client,
    private readonly options: S3BlobStoreOptions,
  ) {
    this.partSize = options.partSizeBytes ?? DEFAULT_PART_SIZE;
    this.queueSize = options.queueSize ?? DEFAULT_QUEUE_SIZE;
  }

  async put(key: string, source: Readable): Promise<{ bytes: number }> {
    assertBlobKey(key);
    let bytes = 0;
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        callback(null, chunk);
      },
    });
    source.once('error', (error) => counted.destroy(error));
    source.pipe(counted);
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.options.bucket,
        Key: key,
        Body: counted,
        ContentType: 'application/octet-stream',
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: this.options.kmsKeyId,
      },
      partSize: this.partSize,
      queueSize: this.queueSize,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      source.destroy();
      counted.destroy();
      throw error;
    }
    return { bytes };
  }

  async get(key: string): Promise<Readable> {
    assertBlobKey(key);
    try {
      const { Body } = await this.client.send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: key }),
      );
      if (!isReadable(Body)) throw new TypeError(`S3 returned no readable body for blob ${key}`);
      return Body;
    } catch (error) {
      if (isMissingObject(error)) throw new BlobNotFoundError(key);
      throw error;
    }
  }

  /** S3's DeleteObject succeeds for a key that is not there, so a retried delete is harmless. */
  async delete(key: string): Promise<void> {
    assertBlobKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: key }));
  }

  async exists(key: string): Promise<boolean> {
    assertBlobKey(key);
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: key }));
      return true;
    } catch (error) {
      if (isMissingObject(error)) return false;
      throw error;
    }
  }

  /** Closes the client's pooled connections (at shutdown, and at the end of tests). */
  destroy(): void {
    this.client.destroy();
  }
}

/**
 * GetObject says NoSuchKey; HeadObject has no body and says NotFound. A missing bucket is a broken
 * deployment, not a missing blob, and stays an error.
 */
function isMissingObject(error: unknown): boolean {
  return (
    error instanceof S3ServiceException &&
    (error.name === 'NoSuchKey' || error.name === 'NotFound') &&
    error.$metadata.httpStatusCode === 404
  );
}

function isReadable(body: unknown): body is Readable {
  return typeof (body as Readable | undefined)?.pipe === 'function';
}

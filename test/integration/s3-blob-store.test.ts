import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  PutBucketOwnershipControlsCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { ConfigError, loadWorkerConfig } from '../../libs/config/config';
import { FieldCipher } from '../../libs/crypto/envelope';
import { DecryptionError } from '../../libs/crypto/errors';
import { LocalKeyWrapper } from '../../libs/crypto/key-wrapper';
import { parseMasterKeyRing } from '../../libs/crypto/master-key-ring';
import {
  BlobNotFoundError,
  openEncryptedBlob,
  readEncryptedBlob,
  writeEncryptedBlob,
} from '../../libs/adapters/storage';
import { createBlobStore } from '../../libs/adapters/storage/blob-store.factory';
import { createS3Client, S3BlobStore } from '../../libs/adapters/storage/s3-blob-store';
import { testWorkerConfig } from '../support/config';
import { createDistrict, openTestDatabase, type TestDatabase } from '../support/factories';
import { freePort, REPO_ROOT, waitFor } from '../support/processes';

const MOTO_SERVER = join(REPO_ROOT, '.tools/moto/bin/moto_server');
const REGION = 'us-east-1';
const KMS_KEY_ID = 'arn:aws:kms:us-east-1:123456789012:key/8f2c7c2e-9d6a-4b1e-a3f0-5c1d2e3f4a5b';
const MiB = 1024 * 1024;

interface RecordedRequest {
  command: string;
  headers: Record<string, string>;
}

/** `total` random bytes in 64 KiB chunks, failing with `error` once `failAfter` bytes have been read. */
function randomStream(total: number, options: { failAfter?: number; error?: Error } = {}) {
  const digest = createHash('sha256');
  let sent = 0;
  const stream = new Readable({
    read() {
      if (options.failAfter !== undefined && sent >= options.failAfter) {
        this.destroy(options.error);
        return;
      }
      if (sent >= total) {
        this.push(null);
        return;
      }
      const chunk = randomBytes(Math.min(64 * 1024, total - sent));
      sent += chunk.length;
      digest.update(chunk);
      this.push(chunk);
    },
  });
  return { stream, sha256: () => digest.digest('hex') };
}

async function sha256Of(stream: Readable): Promise<string> {
  const digest = createHash('sha256');
  for await (const chunk of stream) digest.update(chunk as Buffer);
  return digest.digest('hex');
}

function problemsOf(load: () => unknown): string[] {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

/**
 * The S3 adapter and the real SDK against moto's S3 server, started by this suite on a free port
 * (installed by scripts/bootstrap.sh into .tools/moto). Every request the store's client sends is
 * recorded from its middleware stack, after serialization, with the headers that go on the wire.
 */
describe('S3 blob store (moto S3 stand-in)', () => {
  const savedEnv = { ...process.env };
  const bucket = `homeroom-test-${randomUUID()}`;
  let moto: ChildProcess;
  let motoOutput = '';
  let endpoint: string;
  let admin: S3Client;
  let store: S3BlobStore;
  let requests: RecordedRequest[];

  const key = (name: string) => `attachments/${randomUUID()}/${name}`;
  const commands = () => requests.map((request) => request.command);

  beforeAll(async () => {
    if (!existsSync(MOTO_SERVER)) {
      throw new Error(
        `moto's S3 server is not installed at ${MOTO_SERVER}; run scripts/bootstrap.sh (it installs moto[server] into .tools/moto)`,
      );
    }
    const port = await freePort();
    endpoint = `http://127.0.0.1:${port}`;
    moto = spawn(MOTO_SERVER, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    moto.stdout?.on('data', (data: Buffer) => (motoOutput += data.toString()));
    moto.stderr?.on('data', (data: Buffer) => (motoOutput += data.toString()));
    await waitFor('moto S3 stand-in', async () => {
      if (moto.exitCode !== null) throw new Error(`moto_server exited: ${motoOutput}`);
      return (await fetch(`${endpoint}/moto-api/`)).ok ? true : undefined;
    });

    process.env.AWS_ACCESS_KEY_ID = 'moto-test-access-key';
    process.env.AWS_SECRET_ACCESS_KEY = 'moto-test-secret-key';
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    admin = new S3Client({ region: REGION, endpoint, forcePathStyle: true });
    await admin.send(new CreateBucketCommand({ Bucket: bucket }));
    await admin.send(
      new PutPublicAccessBlockCommand({
        Bucket: bucket,
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        },
      }),
    );
    await admin.send(
      new PutBucketOwnershipControlsCommand({
        Bucket: bucket,
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      }),
    );

    const client = createS3Client({ region: REGION, endpoint, forcePathStyle: true });
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const { headers } = args.request as { headers: Record<string, string> };
        requests.push({ command: context.commandName ?? '?', headers: { ...headers } });
        return next(args);
      },
      { step: 'finalizeRequest', name: 'recordRequests' },
    );
    store = new S3BlobStore(client, { bucket, kmsKeyId: KMS_KEY_ID });
  });
  beforeEach(() => {
    requests = [];
  });
  afterAll(async () => {
    store?.destroy();
    admin?.destroy();
    if (moto && moto.exitCode === null) {
      const exited = new Promise((resolve) => moto.once('exit', resolve));
      moto.kill('SIGTERM');
      await exited;
    }
    process.env = savedEnv;
  });

  it('when a 12 MiB stream is put, then it goes up in bounded parts with SSE-KMS and no ACL, and reads back identical', async () => {
    const blobKey = key('large.hrb');
    const source = randomStream(12 * MiB);

    const { bytes } = await store.put(blobKey, source.stream);

    expect(bytes).toBe(12 * MiB);
    expect(commands()).toEqual([
      'CreateMultipartUploadCommand',
      'UploadPartCommand',
      'UploadPartCommand',
      'CompleteMultipartUploadCommand',
    ]);
    const create = requests[0]!.headers;
    expect(create['x-amz-server-side-encryption']).toBe('aws:kms');
    expect(create['x-amz-server-side-encryption-aws-kms-key-id']).toBe(KMS_KEY_ID);
    expect(await sha256Of(await store.get(blobKey))).toBe(source.sha256());
  });

  it('when blobs are stored, then S3 reports SSE-KMS under the configured key and a private ACL', async () => {
    const small = key('small.hrb');
    const large = key('large.hrb');
    await store.put(small, Readable.from([randomBytes(1000)]));
    await store.put(large, randomStream(9 * MiB).stream);

    for (const blobKey of [small, large]) {
      const head = await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: blobKey }));
      expect(head.ServerSideEncryption).toBe('aws:kms');
      expect(head.SSEKMSKeyId).toBe(KMS_KEY_ID);
    }
    // moto answers GetObjectAcl only for objects written by PutObject (it fails with a 500 on the ACL
    // it leaves unset for multipart uploads); the headers below cover both kinds of write.
    const acl = await admin.send(new GetObjectAclCommand({ Bucket: bucket, Key: small }));
    expect(acl.Grants).toEqual([
      expect.objectContaining({
        Grantee: expect.objectContaining({ Type: 'CanonicalUser' }),
        Permission: 'FULL_CONTROL',
      }),
    ]);
    const writes = requests.filter((request) =>
      ['PutObjectCommand', 'CreateMultipartUploadCommand'].includes(request.command),
    );
    expect(writes.map((request) => request.command)).toEqual([
      'PutObjectCommand',
      'CreateMultipartUploadCommand',
    ]);
    for (const write of writes) {
      expect(write.headers['x-amz-server-side-encryption']).toBe('aws:kms');
      expect(write.headers['x-amz-server-side-encryption-aws-kms-key-id']).toBe(KMS_KEY_ID);
    }
    const aclHeaders = requests.flatMap((request) =>
      Object.keys(request.headers).filter((name) => /^x-amz-(acl|grant-)/i.test(name)),
    );
    expect(aclHeaders).toEqual([]);
  });

  it('when a blob does not exist, then get throws BlobNotFoundError and exists is false', async () => {
    const missing = key('missing.hrb');

    await expect(store.get(missing)).rejects.toBeInstanceOf(BlobNotFoundError);
    await expect(store.get(missing)).rejects.toMatchObject({ key: missing });
    expect(await store.exists(missing)).toBe(false);
    expect(commands()).toEqual(['GetObjectCommand', 'GetObjectCommand', 'HeadObjectCommand']);
  });

  it('when a blob is deleted twice, then both deletes succeed and the blob is gone', async () => {
    const blobKey = key('deleted.hrb');
    await store.put(blobKey, Readable.from([randomBytes(100)]));
    expect(await store.exists(blobKey)).toBe(true);

    await store.delete(blobKey);
    await store.delete(blobKey);

    expect(await store.exists(blobKey)).toBe(false);
    await expect(store.get(blobKey)).rejects.toBeInstanceOf(BlobNotFoundError);
  });

  it('when the source fails after the first part, then the multipart upload is aborted and no object remains', async () => {
    const blobKey = key('cut-off.hrb');
    const cutOff = new Error('client went away');

    await expect(
      store.put(blobKey, randomStream(20 * MiB, { failAfter: 9 * MiB, error: cutOff }).stream),
    ).rejects.toBe(cutOff);

    expect(commands()).toContain('CreateMultipartUploadCommand');
    expect(commands()).toContain('AbortMultipartUploadCommand');
    expect(commands()).not.toContain('CompleteMultipartUploadCommand');
    const uploads = await admin.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: blobKey }));
    expect(uploads.Uploads ?? []).toEqual([]);
    expect(await store.exists(blobKey)).toBe(false);
  });

  it('when the source fails before a whole part, then nothing is sent and no object exists', async () => {
    const blobKey = key('early-failure.hrb');
    const cutOff = new Error('upload over its limit');

    await expect(
      store.put(blobKey, randomStream(1 * MiB, { failAfter: 256 * 1024, error: cutOff }).stream),
    ).rejects.toBe(cutOff);

    expect(commands()).toEqual([]);
    expect(await store.exists(blobKey)).toBe(false);
  });

  it('when a key could leave its prefix, then it is refused before any request', async () => {
    await expect(store.put('../escape.hrb', Readable.from([Buffer.from('x')]))).rejects.toBeInstanceOf(
      RangeError,
    );
    await expect(store.get('a/../b')).rejects.toBeInstanceOf(RangeError);
    await expect(store.delete('/absolute')).rejects.toBeInstanceOf(RangeError);
    await expect(store.exists('a//b')).rejects.toBeInstanceOf(RangeError);
    expect(commands()).toEqual([]);
  });

  describe('with the application encryption on top', () => {
    let database: TestDatabase;
    let keys: FieldCipher;
    let districtId: string;

    beforeAll(async () => {
      database = openTestDatabase();
      keys = new FieldCipher(database.db.dataKeys, new LocalKeyWrapper(parseMasterKeyRing(process.env)));
      districtId = await createDistrict(database.db);
    });
    afterAll(async () => database?.close());

    it('when a file is written encrypted, then the bucket holds no plaintext and it opens to the original', async () => {
      const marker = `PLAINTEXT-MARKER-${randomUUID()}`;
      const plaintext = Buffer.concat([Buffer.from(marker), randomBytes(6 * MiB), Buffer.from(marker)]);
      const target = { districtId, key: key('homework.hrb'), aad: `attachment:${randomUUID()}` };

      const written = await writeEncryptedBlob(store, keys, target, Readable.from([plaintext]));

      const raw = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: target.key }));
      const stored = Buffer.from(await raw.Body!.transformToByteArray());
      expect(stored.length).toBe(written.storedBytes);
      expect(stored.subarray(0, 4).toString()).toBe('HRB1');
      expect(stored.includes(marker)).toBe(false);
      expect(raw.ServerSideEncryption).toBe('aws:kms');
      expect((await readEncryptedBlob(store, keys, target)).equals(plaintext)).toBe(true);
      expect(await sha256Of(await openEncryptedBlob(store, keys, target))).toBe(
        createHash('sha256').update(plaintext).digest('hex'),
      );
    });

    it('when an encrypted blob is opened under another row, then it fails to decrypt', async () => {
      const target = { districtId, key: key('moved.hrb'), aad: `attachment:${randomUUID()}` };
      await writeEncryptedBlob(store, keys, target, Readable.from([Buffer.from('report card')]));

      await expect(
        readEncryptedBlob(store, keys, { key: target.key, aad: `attachment:${randomUUID()}` }),
      ).rejects.toBeInstanceOf(DecryptionError);
    });
  });

  describe('configuration', () => {
    const s3Env = (overrides: Record<string, string> = {}) => ({
      STORAGE_BACKEND: 's3',
      S3_BUCKET: bucket,
      S3_REGION: REGION,
      S3_KMS_KEY_ID: KMS_KEY_ID,
      S3_ENDPOINT: endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      ...overrides,
    });

    it('when STORAGE_BACKEND is s3, then the factory builds an S3 store that writes with SSE-KMS', async () => {
      const configured = createBlobStore(testWorkerConfig(s3Env()));
      try {
        expect(configured).toBeInstanceOf(S3BlobStore);
        const blobKey = key('from-config.hrb');
        await configured.put(blobKey, Readable.from([Buffer.from('sealed bytes')]));
        const head = await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: blobKey }));
        expect(head.ServerSideEncryption).toBe('aws:kms');
        expect(head.SSEKMSKeyId).toBe(KMS_KEY_ID);
      } finally {
        (configured as S3BlobStore).destroy();
      }
    });

    it('when STORAGE_BACKEND is s3, then STORAGE_DIR is not needed', () => {
      const env: Record<string, string | undefined> = { ...process.env, ...s3Env() };
      delete env.STORAGE_DIR;
      expect(loadWorkerConfig(env).STORAGE_BACKEND).toBe('s3');
    });

    it('when STORAGE_BACKEND is local without STORAGE_DIR, then start-up is refused naming STORAGE_DIR', () => {
      const env: Record<string, string | undefined> = { ...process.env, STORAGE_BACKEND: 'local' };
      delete env.STORAGE_DIR;
      expect(problemsOf(() => loadWorkerConfig(env))).toEqual(['STORAGE_DIR: is required']);
    });

    it('when STORAGE_BACKEND is s3 without bucket, region or KMS key, then start-up is refused naming each', () => {
      const env: Record<string, string | undefined> = { ...process.env, STORAGE_BACKEND: 's3' };
      for (const variable of ['S3_BUCKET', 'S3_REGION', 'S3_KMS_KEY_ID', 'S3_ENDPOINT']) delete env[variable];
      expect(problemsOf(() => loadWorkerConfig(env))).toEqual([
        'S3_BUCKET: is required when STORAGE_BACKEND is s3',
        'S3_REGION: is required when STORAGE_BACKEND is s3',
        'S3_KMS_KEY_ID: is required when STORAGE_BACKEND is s3',
      ]);
    });

    it('when only the KMS key is missing, then start-up is refused naming S3_KMS_KEY_ID', () => {
      const env: Record<string, string | undefined> = { ...process.env, ...s3Env() };
      delete env.S3_KMS_KEY_ID;
      expect(problemsOf(() => loadWorkerConfig(env))).toEqual([
        'S3_KMS_KEY_ID: is required when STORAGE_BACKEND is s3',
      ]);
    });

    it('when S3_ENDPOINT is set in production, then start-up is refused, loopback or not', () => {
      for (const url of ['https://minio.example.com', endpoint]) {
        const problems = problemsOf(() =>
          loadWorkerConfig({
            ...process.env,
            ...s3Env({ S3_ENDPOINT: url }),
            HOMEROOM_ENV: 'production',
            TRANSLATION_PROVIDER: 'local',
          }),
        );
        expect(problems).toEqual([
          expect.stringMatching(/^S3_ENDPOINT: .*only when HOMEROOM_ENV is local or test/),
        ]);
      }
    });

    it('when S3_ENDPOINT is not a loopback address in the test environment, then start-up is refused', () => {
      for (const url of [
        'https://minio.example.com',
        'http://10.0.0.5:9000',
        'http://127.0.0.1:9000/bucket',
      ]) {
        const problems = problemsOf(() =>
          loadWorkerConfig({ ...process.env, ...s3Env({ S3_ENDPOINT: url }) }),
        );
        expect(problems).toEqual([expect.stringMatching(/^S3_ENDPOINT: /)]);
      }
    });

    it('when a hand-made config names a non-loopback endpoint, then the factory refuses it too', () => {
      const config = { ...testWorkerConfig(s3Env()), S3_ENDPOINT: 'https://minio.example.com' };
      expect(() => createBlobStore(config)).toThrow(/S3_ENDPOINT: must be a loopback address/);
    });

    it('when no endpoint is configured, then requests go to the region’s S3 even if AWS_ENDPOINT_URL_S3 says otherwise', async () => {
      process.env.AWS_ENDPOINT_URL_S3 = 'https://s3.eu-west-1.amazonaws.com';
      process.env.AWS_ENDPOINT_URL = 'https://storage.example.com';
      const client = createS3Client({ region: REGION, forcePathStyle: false });
      const hosts: string[] = [];
      const stopped = new Error('stopped before sending');
      client.middlewareStack.add(
        () => async (args) => {
          hosts.push((args.request as { hostname: string }).hostname);
          throw stopped;
        },
        { step: 'finalizeRequest', name: 'stopBeforeSending' },
      );
      try {
        await expect(client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'a.hrb' }))).rejects.toBe(
          stopped,
        );
        expect(hosts).toEqual([`${bucket}.s3.${REGION}.amazonaws.com`]);
      } finally {
        client.destroy();
        delete process.env.AWS_ENDPOINT_URL_S3;
        delete process.env.AWS_ENDPOINT_URL;
      }
    });
  });
});

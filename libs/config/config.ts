import { isIP } from 'node:net';
import { z } from 'zod';
import { KeyConfigError } from '../crypto/errors';
import { parseMasterKeyRing } from '../crypto/master-key-ring';
import {
  endpointProblem,
  isUsTranslateRegion,
  US_REGION_LIST,
  US_TRANSLATE_REGIONS,
} from '../domain/translation/translation-residency';
import { isUuid } from '../domain/ids/uuid';

/**
 * Configuration is read once at start-up from the environment into typed objects. Each process asks
 * only for the sections it uses, so the operator CLI does not need Temporal or clamd settings.
 * An invalid or missing variable stops start-up with a message naming every offending variable.
 */

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Where a process runs: local and test allow stand-ins that production refuses. */
export const HOMEROOM_ENVIRONMENTS = ['local', 'test', 'production'] as const;
export type HomeroomEnvironment = (typeof HOMEROOM_ENVIRONMENTS)[number];

const port = z.coerce
  .number({ error: 'must be a port number' })
  .int()
  .min(1, 'must be a port number')
  .max(65535, 'must be a port number');
const positiveInt = z.coerce
  .number({ error: 'must be a whole number' })
  .int('must be a whole number')
  .positive('must be positive');
const positiveNumber = z.coerce.number({ error: 'must be a number' }).positive('must be positive');
const hostPort = z.string().regex(/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/, 'must be host:port');
const base64Key32 = z
  .string()
  .refine((v) => decodesTo32Bytes(v), 'must be base64 of exactly 32 random bytes');

function decodesTo32Bytes(value: string): boolean {
  return /^[A-Za-z0-9+/]+={0,2}$/.test(value) && Buffer.from(value, 'base64').length === 32;
}

const environmentSchema = z.object({
  HOMEROOM_ENV: z.enum(HOMEROOM_ENVIRONMENTS).default('local'),
});

const databaseSchema = z.object({
  DATABASE_URL: z
    .string({ error: 'is required' })
    .regex(/^postgres(ql)?:\/\/.+/, 'must be a postgresql:// connection URL'),
  DATABASE_POOL_SIZE: positiveInt.max(200).default(10),
  /** How long a query waits for a pool connection (busy pool or unreachable server) before a 503. */
  DATABASE_CONNECT_TIMEOUT_MS: positiveInt.max(60_000).default(5_000),
});

const temporalSchema = z.object({
  TEMPORAL_ADDRESS: hostPort.default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('homeroom'),
  TEMPORAL_SCAN_TASK_QUEUE: z.string().min(1).default('homeroom-scan'),
  TEMPORAL_UI_URL: z.url().default('http://127.0.0.1:8233'),
  PAYLOAD_CODEC_KEY: base64Key32,
  PAYLOAD_CODEC_KEY_ID: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be a short key id'),
  /** Retired codec keys, still needed to read histories written before a rotation. */
  PAYLOAD_CODEC_PREVIOUS_KEYS: z.string().optional(),
});

const clamdSchema = z.object({
  CLAMD_HOST: z.string().min(1).default('127.0.0.1'),
  CLAMD_PORT: port.default(3311),
  CLAMD_TIMEOUT_MS: positiveInt.default(30_000),
});

const encryptionSchema = z.object({
  MASTER_KEYS: z.string({ error: 'is required' }),
  ACTIVE_MASTER_KEY_ID: z.string({ error: 'is required' }).min(1),
});

/**
 * The key ring's own parser is the judge of the keys (32 bytes each, unique ids, active id present).
 * It runs on the raw environment so its problem is reported together with every other one.
 */
function masterKeyRingProblems(env: Env): string[] {
  if (env.MASTER_KEYS === undefined || env.ACTIVE_MASTER_KEY_ID === undefined) return [];
  try {
    parseMasterKeyRing(env);
    return [];
  } catch (error) {
    if (!(error instanceof KeyConfigError)) throw error;
    return [error.message];
  }
}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** One TRUST_PROXY entry: a name Express knows, an address, or an address block in CIDR notation. */
function isProxyEntry(entry: string): boolean {
  if (PROXY_NAMES.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  const bits = family === 4 ? 32 : 128;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= bits;
}

/**
 * Which peers may tell the client's address in X-Forwarded-For (Express's `trust proxy`): a hop count,
 * or a comma-separated list of addresses, CIDR blocks and the names loopback, linklocal, uniquelocal.
 * From any other peer the header is ignored and the peer's own address is the client's.
 */
const trustProxy = z
  .string()
  .default('loopback')
  .transform((value, ctx): number | string[] => {
    const text = value.trim();
    if (/^\d+$/.test(text)) return Number(text);
    const entries = text.split(',').map((entry) => entry.trim());
    const bad = entries.filter((entry) => !isProxyEntry(entry));
    if (bad.length) {
      ctx.addIssue({
        code: 'custom',
        message: `must be a hop count or a comma-separated list of addresses, CIDR blocks, loopback, linklocal or uniquelocal (not ${bad.map((b) => JSON.stringify(b)).join(', ')})`,
      });
      return z.NEVER;
    }
    return entries;
  });

const apiSchema = z.object({
  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: port.default(3000),
  API_PUBLIC_URL: z.url().optional(),
  /**
   * Root of the keys that sign what the API hands out and reads back (page cursors, device tokens);
   * each use derives its own key from it. Not in the database, so a database leak forges nothing.
   */
  API_SIGNING_KEY: base64Key32,
  REQUEST_BODY_LIMIT_BYTES: positiveInt.max(10 * 1024 * 1024).default(64 * 1024),
  ACCESS_TOKEN_TTL_SECONDS: positiveInt
    .min(60)
    .max(24 * 3600)
    .default(900),
  TRUST_PROXY: trustProxy,
  /**
   * Failed sign-ins per window before 429, per account for clients without its device token, and per
   * device token; a success resets the count it was made in.
   */
  LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: positiveInt.max(1_000).default(5),
  /**
   * Failed sign-ins per client address (IPv6: per /64) per window before 429; an account that signs in
   * from the address takes its earlier failures there off the count.
   */
  LOGIN_MAX_ATTEMPTS_PER_ADDRESS: positiveInt.max(100_000).default(50),
  /** How long a device token (see libs/identity/device-tokens.ts) is honoured after its sign-in. */
  LOGIN_DEVICE_TOKEN_TTL_DAYS: positiveInt.max(400).default(90),
  LOGIN_RATE_WINDOW_SECONDS: positiveInt.max(24 * 3600).default(900),
  /** The issuer authenticator apps show next to Homeroom's TOTP codes. */
  TOTP_ISSUER: z
    .string()
    .regex(/^[^:]{1,64}$/, 'must be 1 to 64 characters without a colon')
    .default('Homeroom'),
  HEALTH_CHECK_TIMEOUT_MS: positiveInt.max(30_000).default(2_000),
  /** Readiness answers are shared for this long, so the public route cannot multiply backend load. */
  HEALTH_CACHE_MS: z.coerce
    .number({ error: 'must be a whole number' })
    .int()
    .min(0)
    .max(60_000)
    .default(1_000),
  /** The operator listener (dependency details, event-loop delay). Never expose it publicly. */
  OPS_HOST: z.string().min(1).default('127.0.0.1'),
  /** 0 picks a free port (tests). */
  OPS_PORT: z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65535).default(3001),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/**
 * The worker's operator listener (Prometheus `/metrics`), and where the Temporal SDK serves its own
 * worker metrics (polls, slots, task latencies): off unless set, as a port an operator chose.
 */
const workerOpsSchema = z.object({
  WORKER_OPS_HOST: z.string().min(1).default('127.0.0.1'),
  /** 0 picks a free port (tests). */
  WORKER_OPS_PORT: z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65535).default(3002),
  TEMPORAL_METRICS_BIND: hostPort.optional(),
});

/** How long an invitation or password-reset token stays usable; one live token per user either way. */
const invitationSchema = z.object({
  INVITATION_TTL_HOURS: positiveInt.max(24 * 14).default(72),
});

/**
 * Where blobs live: a local directory (the embedded stack) or a private S3 bucket with SSE-KMS
 * (production). The variables each backend needs are required by storageProblems below.
 */
const storageSchema = z.object({
  STORAGE_BACKEND: z.enum(['local', 's3'], { error: 'must be local or s3' }).default('local'),
  STORAGE_DIR: z.string().min(1, 'must not be empty').optional(),
  UPLOAD_MAX_BYTES: positiveInt.default(25 * 1024 * 1024),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name (3 to 63 lowercase characters)')
    .optional(),
  S3_REGION: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'must be an AWS region such as us-east-1')
    .optional(),
  /** Every object is written with SSE-KMS under this key: a key id, key ARN or alias. */
  S3_KMS_KEY_ID: z
    .string()
    .regex(
      /^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:)?[A-Za-z0-9/_-]{1,256}$/,
      'must be a KMS key id, key ARN or alias',
    )
    .optional(),
  /** A loopback S3 stand-in in the local and test environments; production uses the region's endpoint. */
  S3_ENDPOINT: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: z.stringbool({ error: 'must be true or false' }).default(false),
});

const S3_REQUIRED = ['S3_BUCKET', 'S3_REGION', 'S3_KMS_KEY_ID'] as const;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The rules that span several storage variables, reported together with every other problem. */
function storageProblems(env: Env): string[] {
  const backend = env.STORAGE_BACKEND ?? 'local';
  const problems: string[] = [];
  if (backend === 'local' && env.STORAGE_DIR === undefined) problems.push('STORAGE_DIR: is required');
  if (backend === 's3') {
    for (const variable of S3_REQUIRED) {
      if (env[variable] === undefined) problems.push(`${variable}: is required when STORAGE_BACKEND is s3`);
    }
  }
  if (env.S3_ENDPOINT !== undefined) {
    const problem = s3EndpointProblem(env.S3_ENDPOINT, env.HOMEROOM_ENV ?? 'local');
    if (problem) problems.push(`S3_ENDPOINT: ${problem}`);
  }
  return problems;
}

/**
 * S3_ENDPOINT exists for a stand-in server on this machine: anywhere else, blobs would leave the
 * bucket the district agreed to. Production always talks to the region's own S3 endpoint.
 */
export function s3EndpointProblem(endpoint: string, environment: string): string | undefined {
  if (environment !== 'local' && environment !== 'test') {
    return `is for a local stand-in and may be set only when HOMEROOM_ENV is local or test (it is ${environment})`;
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'must be a URL such as http://127.0.0.1:9000';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http(s) URL';
  if (url.username !== '' || url.password !== '') return 'must not carry credentials';
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    return 'must be a bare origin without path, query or fragment';
  }
  if (!LOOPBACK_HOSTS.has(url.hostname.toLowerCase())) {
    return `must be a loopback address (127.0.0.1, localhost or [::1]); ${url.hostname} is not one`;
  }
  return undefined;
}

/**
 * Write quotas per hour (fixed one-hour windows), per user and per district, on every write a stolen
 * account could abuse. A user's limit bounds one hijacked account; the district's ceiling bounds a
 * script spread over many. Defaults leave room for a school day's 8 am peak.
 */
const quotaSchema = z.object({
  /** One-to-one messages and announcement replies a user sends. */
  QUOTA_MESSAGES_PER_USER_PER_HOUR: positiveInt.max(1_000_000).default(300),
  QUOTA_MESSAGES_PER_DISTRICT_PER_HOUR: positiveInt.max(1_000_000_000).default(200_000),
  /** The default of each district's own setting (`announcementsPerTeacherPerHour`). */
  QUOTA_ANNOUNCEMENTS_PER_TEACHER_PER_HOUR: positiveInt.max(100_000).default(30),
  QUOTA_ANNOUNCEMENTS_PER_DISTRICT_PER_HOUR: positiveInt.max(10_000_000).default(5_000),
  QUOTA_UPLOADS_PER_USER_PER_HOUR: positiveInt.max(1_000_000).default(100),
  QUOTA_UPLOADS_PER_DISTRICT_PER_HOUR: positiveInt.max(100_000_000).default(20_000),
  QUOTA_UPLOAD_BYTES_PER_USER_PER_HOUR: positiveInt.default(1024 * 1024 * 1024),
  QUOTA_UPLOAD_BYTES_PER_DISTRICT_PER_HOUR: positiveInt.default(50 * 1024 * 1024 * 1024),
  QUOTA_REPORTS_PER_USER_PER_HOUR: positiveInt.max(100_000).default(30),
  QUOTA_REPORTS_PER_DISTRICT_PER_HOUR: positiveInt.max(10_000_000).default(2_000),
  /** Invitations an admin issues (each resets a password). */
  QUOTA_INVITATIONS_PER_USER_PER_HOUR: positiveInt.max(1_000_000).default(500),
  QUOTA_INVITATIONS_PER_DISTRICT_PER_HOUR: positiveInt.max(10_000_000).default(5_000),
});

/** The variables that hold districts' identity provider client secrets (`homeroom oidc set --secret-ref`). */
export const OIDC_SECRET_PREFIX = 'OIDC_CLIENT_SECRET_';

/**
 * School sign-in (OpenID Connect). A sign-in must reach the callback within OIDC_LOGIN_TTL_SECONDS of
 * its start; the one-time code the app exchanges lives OIDC_EXCHANGE_CODE_TTL_SECONDS.
 */
const oidcSchema = z.object({
  OIDC_LOGIN_TTL_SECONDS: positiveInt.min(60).max(3_600).default(600),
  OIDC_EXCHANGE_CODE_TTL_SECONDS: positiveInt.min(5).max(600).default(60),
});

/**
 * Every OIDC_CLIENT_SECRET_* variable, read once at start-up. Only these can be named as a district's
 * secret reference, so a district setting can never send another secret (API_SIGNING_KEY…) to an issuer.
 */
function oidcClientSecrets(env: Env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] => entry[0].startsWith(OIDC_SECRET_PREFIX) && !!entry[1],
    ),
  );
}

function oidcSecretProblems(env: Env): string[] {
  return Object.entries(env)
    .filter(
      ([name, value]) => name.startsWith(OIDC_SECRET_PREFIX) && value !== undefined && value.trim() === '',
    )
    .map(([name]) => `${name}: must not be empty`);
}

/** Security alerts are always stored; a webhook also hands each new one to whoever is on call. */
const alertSchema = z.object({
  ALERT_WEBHOOK_URL: z.url({ error: 'must be an http(s) URL' }).optional(),
  ALERT_WEBHOOK_TIMEOUT_MS: positiveInt.max(60_000).default(5_000),
  /** The HMAC-SHA256 key of the `X-Homeroom-Signature` header; required with ALERT_WEBHOOK_URL. */
  ALERT_WEBHOOK_SECRET: z.string().min(32, { error: 'must be at least 32 characters' }).optional(),
  /** The delivery workflow's backoff: from the initial interval, doubling up to the maximum. */
  ALERT_WEBHOOK_RETRY_INITIAL_MS: positiveInt.max(3_600_000).default(5_000),
  ALERT_WEBHOOK_RETRY_MAX_MS: positiveInt.max(24 * 3_600_000).default(10 * 60_000),
  ALERT_WEBHOOK_MAX_ATTEMPTS: positiveInt.max(1_000).default(20),
});

/** A webhook carries alerts out of the deployment: signed always, and over TLS outside this machine. */
function alertProblems(env: Env): string[] {
  const url = env.ALERT_WEBHOOK_URL;
  if (url === undefined) return [];
  const problems: string[] = [];
  if (env.ALERT_WEBHOOK_SECRET === undefined) {
    problems.push('ALERT_WEBHOOK_SECRET: is required when ALERT_WEBHOOK_URL is set');
  }
  const environment = env.HOMEROOM_ENV ?? 'local';
  if (environment !== 'local' && environment !== 'test' && URL.canParse(url)) {
    if (new URL(url).protocol !== 'https:') {
      problems.push(`ALERT_WEBHOOK_URL: must be an https URL when HOMEROOM_ENV is ${environment}`);
    }
  }
  return problems;
}

/**
 * Anomalies that raise an alert while the announcement still goes: a large announcement soon after a
 * sign-in from a new device, or a teacher announcing far more often than their own history.
 */
const anomalySchema = z.object({
  /** Recipients above which an announcement from a new device's session is an anomaly (per-district override). */
  ANOMALY_BROADCAST_RECIPIENTS: positiveInt.max(10_000_000).default(500),
  ANOMALY_NEW_DEVICE_WINDOW_MINUTES: positiveInt.max(24 * 60).default(30),
  /** This many times the teacher's busiest hour of the last 30 days, and at least ANOMALY_RATE_MINIMUM. */
  ANOMALY_RATE_FACTOR: positiveNumber.max(1_000).default(3),
  ANOMALY_RATE_MINIMUM: positiveInt.max(100_000).default(10),
});

/**
 * The scan workflow's patience with clamd: retries back off from the initial to the maximum interval
 * for at most ATTACHMENT_SCAN_RETRY_HOURS, the file staying unreleased all along. Read by the API,
 * which hands the policy to each scan workflow it starts.
 */
const attachmentScanSchema = z.object({
  ATTACHMENT_SCAN_RETRY_INITIAL_SECONDS: positiveNumber.max(3_600).default(1),
  ATTACHMENT_SCAN_RETRY_MAX_SECONDS: positiveNumber.max(3_600).default(30),
  ATTACHMENT_SCAN_RETRY_HOURS: positiveNumber.max(24 * 30).default(24),
});

/** Uploads never attached to a message or announcement are deleted once older than this, by the worker. */
const attachmentRetentionSchema = z.object({
  ORPHAN_ATTACHMENT_MAX_AGE_HOURS: positiveNumber.max(24 * 365).default(72),
  ORPHAN_SWEEP_INTERVAL_MINUTES: positiveNumber.max(24 * 60).default(60),
});

/**
 * The worker's drain of the workflow outbox (workflow starts committed with their subject, issue 14):
 * how long it waits before looking again when it found nothing to start. The lag a message's
 * translation start sees is at most about this.
 */
const outboxSchema = z.object({
  OUTBOX_POLL_MS: positiveInt.max(60_000).default(100),
});

const downloadLinkSchema = z.object({
  /** Download links are short-lived: long enough to start a download, too short to be passed around. */
  DOWNLOAD_LINK_TTL_SECONDS: positiveInt.min(10).max(3_600).default(300),
});

/** `<districtId>=<absolute folder>;…`; whether the districts and folders exist is checked at worker start. */
const dropFolders = z
  .string()
  .default('')
  .transform((value, ctx) => {
    const folders: { districtId: string; folder: string }[] = [];
    for (const entry of value.split(';').map((part) => part.trim())) {
      if (entry === '') continue;
      const eq = entry.indexOf('=');
      const districtId = entry.slice(0, eq).trim().toLowerCase();
      const folder = entry.slice(eq + 1).trim();
      if (eq < 0 || !isUuid(districtId) || !folder.startsWith('/')) {
        ctx.addIssue({ code: 'custom', message: 'must be <districtId>=<absolute folder>, separated by ;' });
        return z.NEVER;
      }
      if (folders.some((known) => known.districtId === districtId)) {
        ctx.addIssue({ code: 'custom', message: `names district ${districtId} twice` });
        return z.NEVER;
      }
      folders.push({ districtId, folder });
    }
    return folders;
  });

const rosterUploadSchema = z.object({
  /** The largest OneRoster zip an upload, the CLI or a drop folder may hand in. */
  ROSTER_UPLOAD_MAX_BYTES: positiveInt.default(256 * 1024 * 1024),
});

const rosterScheduleSchema = z.object({
  ROSTER_DROP_FOLDERS: dropFolders,
  ROSTER_SCHEDULE: z
    .string()
    .regex(/^\s*\S+(\s+\S+){4}\s*$/, 'must be a cron expression of five fields, e.g. "0 2 * * *"')
    .default('0 2 * * *'),
  ROSTER_SCHEDULE_TIMEZONE: z
    .string()
    .refine((zone) => isTimeZone(zone), 'must be an IANA time zone, e.g. America/New_York')
    .default('America/New_York'),
  /** Records asked for per page of the OneRoster REST API (its `limit`); a page holding more is refused. */
  ROSTER_API_PAGE_SIZE: positiveInt.max(1_000, 'must be at most 1000').default(500),
  /** A JSON object of client secrets that `file:<name>` secret references of OneRoster REST sources name. */
  ROSTER_API_SECRETS_FILE: z.string().min(1).optional(),
});

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Machine translation. Message text may only go to AWS Translate in a US region (DESIGN.md invariant 6):
 * the region is an allow-list, and an explicit endpoint must be one of that region's Translate
 * endpoints, or a loopback stand-in in the local and test environments (see translation-residency.ts).
 */
const translationSchema = z.object({
  /** `local` is a labelled pseudo-translation for the embedded stack; production must choose explicitly. */
  TRANSLATION_PROVIDER: z.enum(['aws', 'local'], { error: 'must be aws or local' }).default('local'),
  AWS_TRANSLATE_REGION: z
    .enum(US_TRANSLATE_REGIONS, {
      error: `must be a US region with AWS Translate (${US_REGION_LIST}): message text must stay in the United States`,
    })
    .optional(),
  TRANSLATION_USE_FIPS: z.stringbool({ error: 'must be true or false' }).default(false),
  /** For interface VPC endpoints and test stand-ins; otherwise derived from the region. */
  AWS_TRANSLATE_ENDPOINT: z.string().min(1).optional(),
  /** Let the provider detect the source language where the region can (not us-west-1). */
  TRANSLATION_DETECT_SOURCE: z.stringbool({ error: 'must be true or false' }).default(false),
  /** Translations a worker runs at once; each holds a database connection while the provider answers. */
  TRANSLATION_MAX_CONCURRENCY: positiveInt.max(100).default(4),
});

/**
 * The rules that span several variables, on the raw environment so they are reported together with
 * every other problem; values the schema itself refuses are left to its messages.
 */
function translationProblems(env: Env): string[] {
  const provider = env.TRANSLATION_PROVIDER;
  const region = env.AWS_TRANSLATE_REGION;
  const problems: string[] = [];
  if (env.HOMEROOM_ENV === 'production' && provider === undefined) {
    problems.push(
      'TRANSLATION_PROVIDER: is required in production: aws (AWS Translate in a US region) or local (a labelled pseudo-translation)',
    );
  }
  if (provider === 'aws' && region === undefined) {
    problems.push(
      `AWS_TRANSLATE_REGION: is required when TRANSLATION_PROVIDER is aws (one of ${US_REGION_LIST})`,
    );
  }
  const environment = environmentSchema.safeParse(env);
  const fips = translationSchema.shape.TRANSLATION_USE_FIPS.safeParse(env.TRANSLATION_USE_FIPS);
  const endpoint = env.AWS_TRANSLATE_ENDPOINT;
  if (endpoint !== undefined) {
    if (region === undefined) {
      problems.push('AWS_TRANSLATE_ENDPOINT: needs AWS_TRANSLATE_REGION to be set as well');
    } else if (isUsTranslateRegion(region) && environment.success && fips.success) {
      const problem = endpointProblem(endpoint, {
        region,
        fips: fips.data,
        environment: environment.data.HOMEROOM_ENV,
      });
      if (problem) problems.push(`AWS_TRANSLATE_ENDPOINT: ${problem}`);
    }
  }
  return problems;
}

export type EnvironmentConfig = z.infer<typeof environmentSchema>;
export type DatabaseConfig = z.infer<typeof databaseSchema>;
export type TemporalConfig = z.infer<typeof temporalSchema>;
export type ClamdConfig = z.infer<typeof clamdSchema>;
export type EncryptionConfig = z.infer<typeof encryptionSchema>;
export type ApiSettings = z.infer<typeof apiSchema>;
export type StorageConfig = z.infer<typeof storageSchema>;
export type TranslationConfig = z.infer<typeof translationSchema>;
export type AlertConfig = z.infer<typeof alertSchema>;
export type AnomalyConfig = z.infer<typeof anomalySchema>;
export type QuotaConfig = z.infer<typeof quotaSchema>;
export type AttachmentScanConfig = z.infer<typeof attachmentScanSchema>;
export type AttachmentRetentionConfig = z.infer<typeof attachmentRetentionSchema>;
export type OutboxConfig = z.infer<typeof outboxSchema>;
export type DownloadLinkConfig = z.infer<typeof downloadLinkSchema>;
export type RosterUploadConfig = z.infer<typeof rosterUploadSchema>;
export type RosterScheduleConfig = z.infer<typeof rosterScheduleSchema>;
export type InvitationConfig = z.infer<typeof invitationSchema>;
export type WorkerOpsConfig = z.infer<typeof workerOpsSchema>;
export type OidcConfig = z.infer<typeof oidcSchema> & { OIDC_CLIENT_SECRETS: Record<string, string> };

export type ApiConfig = EnvironmentConfig &
  DatabaseConfig &
  TemporalConfig &
  ClamdConfig &
  EncryptionConfig &
  ApiSettings &
  StorageConfig &
  RosterUploadConfig &
  TranslationConfig &
  AlertConfig &
  AttachmentScanConfig &
  DownloadLinkConfig &
  QuotaConfig &
  InvitationConfig &
  OidcConfig &
  AnomalyConfig;
export type WorkerConfig = EnvironmentConfig &
  DatabaseConfig &
  TemporalConfig &
  ClamdConfig &
  EncryptionConfig &
  StorageConfig &
  RosterUploadConfig &
  RosterScheduleConfig &
  TranslationConfig &
  AlertConfig &
  AttachmentRetentionConfig &
  WorkerOpsConfig &
  OutboxConfig & { LOG_LEVEL: ApiSettings['LOG_LEVEL'] };
/** The operator command line issues admin invitations, so it reads their lifetime too. */
export type CliConfig = EnvironmentConfig & DatabaseConfig & InvitationConfig;
type CliBaseConfig = EnvironmentConfig & DatabaseConfig;

export type ScanCliConfig = CliBaseConfig & TemporalConfig & AttachmentScanConfig;
/** What `homeroom roster import` needs beyond the database: it stores the export and starts the workflow. */
export type RosterCliConfig = CliBaseConfig &
  TemporalConfig &
  EncryptionConfig &
  StorageConfig &
  RosterUploadConfig;

function parse<T extends z.ZodType>(
  schema: T,
  env: Env,
  extraChecks: ((env: Env) => string[])[] = [],
): z.infer<T> {
  const result = schema.safeParse(env);
  const problems = result.success
    ? []
    : result.error.issues.map((issue) => {
        const variable = issue.path.join('.') || '(environment)';
        const message =
          env[variable] === undefined && issue.code === 'invalid_type' ? 'is required' : issue.message;
        return `${variable}: ${message}`;
      });
  problems.push(...extraChecks.flatMap((check) => check(env)));
  if (!result.success || problems.length > 0) throw new ConfigError(problems);
  return result.data;
}

export function loadApiConfig(env: Env = process.env): ApiConfig {
  const config = parse(
    environmentSchema
      .extend(databaseSchema.shape)
      .extend(temporalSchema.shape)
      .extend(clamdSchema.shape)
      .extend(encryptionSchema.shape)
      .extend(apiSchema.shape)
      .extend(storageSchema.shape)
      .extend(rosterUploadSchema.shape)
      .extend(translationSchema.shape)
      .extend(alertSchema.shape)
      .extend(attachmentScanSchema.shape)
      .extend(downloadLinkSchema.shape)
      .extend(quotaSchema.shape)
      .extend(invitationSchema.shape)
      .extend(oidcSchema.shape)
      .extend(anomalySchema.shape),
    env,
    [masterKeyRingProblems, storageProblems, translationProblems, oidcSecretProblems, alertProblems],
  );
  return { ...config, OIDC_CLIENT_SECRETS: oidcClientSecrets(env) };
}

export function loadWorkerConfig(env: Env = process.env): WorkerConfig {
  return parse(
    environmentSchema
      .extend(databaseSchema.shape)
      .extend(temporalSchema.shape)
      .extend(clamdSchema.shape)
      .extend(encryptionSchema.shape)
      .extend(storageSchema.shape)
      .extend(rosterUploadSchema.shape)
      .extend(rosterScheduleSchema.shape)
      .extend(translationSchema.shape)
      .extend(alertSchema.shape)
      .extend(attachmentRetentionSchema.shape)
      .extend(workerOpsSchema.shape)
      .extend(outboxSchema.shape)
      .extend({ LOG_LEVEL: apiSchema.shape.LOG_LEVEL }),
    env,
    [masterKeyRingProblems, storageProblems, translationProblems, alertProblems],
  );
}

export function loadCliConfig(env: Env = process.env): CliConfig {
  return parse(environmentSchema.extend(databaseSchema.shape).extend(invitationSchema.shape), env);
}

export function loadRosterCliConfig(env: Env = process.env): RosterCliConfig {
  return parse(
    environmentSchema
      .extend(databaseSchema.shape)
      .extend(temporalSchema.shape)
      .extend(encryptionSchema.shape)
      .extend(storageSchema.shape)
      .extend(rosterUploadSchema.shape),
    env,
    [masterKeyRingProblems, storageProblems],
  );
}

/** `homeroom attachments rescan`: the database and Temporal, and the scan retry policy the API uses. */
export function loadScanCliConfig(env: Env = process.env): ScanCliConfig {
  return parse(
    environmentSchema
      .extend(databaseSchema.shape)
      .extend(temporalSchema.shape)
      .extend(attachmentScanSchema.shape),
    env,
  );
}

export function loadTemporalConfig(env: Env = process.env): TemporalConfig {
  return parse(temporalSchema, env);
}

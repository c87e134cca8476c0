import { randomUUID } from 'node:crypto';
import { type Pool } from 'pg';
import { type AppStack, startAppStack } from './api-stack';
import { createAdminWithTotp, createDistrict, openTestDatabase, type TestDatabase } from './factories';
import { request } from './http';
import { waitFor } from './processes';

/** A row-level error or warning of an import, as `GET /v1/admin/roster/imports/{id}` lists it. */
export interface RosterFileProblem {
  file: string;
  line: number;
  message: string;
}

/** `GET /v1/admin/roster/imports/{id}` (API.md). */
export interface RosterImportView {
  importId: string;
  status: 'running' | 'held' | 'succeeded' | 'failed' | 'discarded';
  source: string;
  counts: Record<string, number>;
  pending?: Record<string, number>;
  errors: RosterFileProblem[];
  errorCount: number;
  warnings: RosterFileProblem[];
  warningCount: number;
  workflowId: string;
  finishedAt: string | null;
}

/** `POST /v1/admin/roster/imports`: 202 with the import, or the contract's error body. */
export interface StartedRosterImport {
  importId: string;
  workflowId: string;
  error?: { code: string; message: string };
}

/**
 * Task queues of the suite's own: its worker runs only its imports, and an API whose queue no worker
 * polls keeps an import running for as long as a test needs.
 */
export function ownTaskQueues(label: string): Record<string, string> {
  const queue = `${label}-${randomUUID()}`;
  return { TEMPORAL_TASK_QUEUE: queue, TEMPORAL_SCAN_TASK_QUEUE: `${queue}-scan` };
}

export interface RosterImportStack extends AppStack {
  database: TestDatabase;
  /** The configuration overrides both processes run with (task queues included). */
  overrides: Record<string, string>;
  /** A fresh district and its admin, signed in with TOTP as a person would. */
  newDistrict(): Promise<{ districtId: string; token: string }>;
  stop(): Promise<void>;
}

/**
 * What every roster-import e2e suite starts from: the app stack (API, worker unless `workers: false`,
 * pool) on task queues of the suite's own, and the test database.
 */
export async function startRosterImportStack(
  label: string,
  options: { overrides?: Record<string, string>; workers?: boolean } = {},
): Promise<RosterImportStack> {
  const overrides = { ...ownTaskQueues(label), ...options.overrides };
  const app = await startAppStack({ overrides, workers: options.workers ?? true });
  const database = openTestDatabase();
  return {
    ...app,
    database,
    overrides,
    async newDistrict() {
      const districtId = await createDistrict(database.db);
      const token = await (await createAdminWithTotp(database.db, districtId)).signIn(app.api.baseUrl);
      return { districtId, token };
    },
    async stop() {
      await app.stop();
      await database.close();
    },
  };
}

/** Uploads an export as a district admin would (multipart field `file` unless told otherwise). */
export async function uploadRoster(
  baseUrl: string,
  token: string,
  bytes: Uint8Array,
  field = 'file',
): Promise<{ status: number; body: StartedRosterImport }> {
  const form = new FormData();
  form.append(field, new Blob([Buffer.from(bytes)], { type: 'application/zip' }), 'roster.zip');
  const res = await fetch(`${baseUrl}/v1/admin/roster/imports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  return { status: res.status, body: (await res.json()) as StartedRosterImport };
}

/** Uploads an export that must be accepted (202) and returns the started import. */
export async function startRosterImport(
  baseUrl: string,
  token: string,
  bytes: Uint8Array,
): Promise<StartedRosterImport> {
  const started = await uploadRoster(baseUrl, token, bytes);
  if (started.status !== 202) {
    throw new Error(`the upload answered ${started.status}: ${JSON.stringify(started.body)}`);
  }
  return started.body;
}

export async function readRosterImport(
  baseUrl: string,
  token: string,
  importId: string,
): Promise<RosterImportView> {
  const res = await request<RosterImportView>(baseUrl, 'GET', `/v1/admin/roster/imports/${importId}`, {
    token,
  });
  if (res.status !== 200) throw new Error(`GET import answered ${res.status}`);
  return res.body;
}

/** Waits until the import no longer runs: held for confirmation, or finished either way. */
export function settledRosterImport(
  baseUrl: string,
  token: string,
  importId: string,
  timeoutMs = 120_000,
): Promise<RosterImportView> {
  return waitFor(
    `roster import ${importId}`,
    async () => {
      const view = await readRosterImport(baseUrl, token, importId);
      return view.status === 'running' ? undefined : view;
    },
    timeoutMs,
  );
}

/** Every roster row of the district, whole and in a fixed order: equal dumps mean nothing changed. */
export async function dumpRoster(pool: Pool, districtId: string): Promise<string> {
  const dump: Record<string, unknown[]> = {};
  for (const table of ['schools', 'sections', 'users', 'section_memberships', 'guardian_links']) {
    const { rows } = await pool.query(
      `SELECT row_to_json(t)::text AS row FROM ${table} AS t WHERE district_id = $1 ORDER BY id`,
      [districtId],
    );
    dump[table] = rows.map((row: { row: string }) => row.row);
  }
  return JSON.stringify(dump);
}

/** The id of the district's user or section with this sourcedId; throws when there is none. */
export async function idBySourcedId(
  pool: Pool,
  table: 'users' | 'sections',
  districtId: string,
  sourcedId: string,
): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `SELECT id FROM ${table} WHERE district_id = $1 AND sourced_id = $2`,
    [districtId, sourcedId],
  );
  if (!rows[0]) throw new Error(`no row of ${table} with sourcedId ${sourcedId}`);
  return rows[0].id;
}

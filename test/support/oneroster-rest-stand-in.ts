import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { readCsvRecords } from '../../libs/domain/roster/csv-records';
import { type FixtureSet } from './oneroster-fixtures';

const FIXTURES = join(__dirname, '..', 'fixtures', 'oneroster');
export const STAND_IN_BASE_PATH = '/ims/oneroster/v1p1';
const COLLECTIONS = ['orgs', 'academicSessions', 'classes', 'users', 'enrollments'] as const;
type Collection = (typeof COLLECTIONS)[number];
type Json = Record<string, unknown>;

/** One scripted misbehaviour, served once to the first request that matches it. */
export interface StandInFault {
  collection: Collection;
  offset: number;
  /** `expire-token`: the access token in use is revoked just before this request (so it gets a 401). */
  kind: '500' | '429' | 'expire-token' | 'foreign-next';
  retryAfterSeconds?: number;
}

export interface StandInRequest {
  collection: Collection | 'token';
  offset: number;
  limit: number;
  status: number;
  at: number;
}

function rowsOf(set: FixtureSet, file: string): Record<string, string>[] {
  let text: string;
  try {
    text = readFileSync(join(FIXTURES, set, `${file}.csv`), 'utf8');
  } catch {
    return [];
  }
  const records: string[][] = [];
  readCsvRecords(text.replace(/^\uFEFF/, ''), (record) => records.push(record.fields));
  const [header, ...rows] = records;
  return rows.map((fields) => Object.fromEntries(header!.map((name, i) => [name, fields[i] ?? ''])));
}

const list = (cell: string | undefined) => (cell ? cell.split(',').map((value) => value.trim()) : []);
const ref = (base: string, kind: string, path: string, sourcedId: string | undefined) =>
  sourcedId ? { href: `${base}/${path}/${sourcedId}`, sourcedId, type: kind } : undefined;
const refs = (base: string, kind: string, path: string, cell: string | undefined) =>
  list(cell).map((id) => ref(base, kind, path, id));
/** 1.1's JSON binding writes booleans as the strings "true" and "false". */
const bool = (cell: string | undefined) => (cell ? String(cell.toLowerCase() === 'true') : undefined);
const blankToUndefined = (cell: string | undefined) => (cell ? cell : undefined);

/**
 * The OneRoster 1.1 JSON records of a CSV fixture set, built from its CSV files field by field as
 * the REST binding spells them: GUIDRefs for references, arrays for lists, string booleans, the
 * `metadata` object for extensions.
 */
export function fixtureCollections(set: FixtureSet, base: string): Record<Collection, Json[]> {
  const common = (row: Record<string, string>) => ({
    sourcedId: row.sourcedId,
    status: row.status || 'active',
    dateLastModified: row.dateLastModified || '2025-08-01T08:00:00.000Z',
  });
  return {
    orgs: rowsOf(set, 'orgs').map((row) => ({
      ...common(row),
      name: row.name,
      type: row.type,
      identifier: blankToUndefined(row.identifier),
      parent: ref(base, 'org', 'orgs', row.parentSourcedId),
    })),
    academicSessions: rowsOf(set, 'academicSessions').map((row) => ({
      ...common(row),
      title: row.title,
      type: row.type,
      startDate: row.startDate,
      endDate: row.endDate,
      parent: ref(base, 'academicSession', 'academicSessions', row.parentSourcedId),
      schoolYear: row.schoolYear,
    })),
    classes: rowsOf(set, 'classes').map((row) => ({
      ...common(row),
      title: row.title,
      classCode: blankToUndefined(row.classCode),
      classType: row.classType,
      location: blankToUndefined(row.location),
      grades: list(row.grades),
      subjects: list(row.subjects),
      subjectCodes: list(row.subjectCodes),
      periods: list(row.periods),
      course: ref(base, 'course', 'courses', row.courseSourcedId),
      school: ref(base, 'org', 'schools', row.schoolSourcedId),
      terms: refs(base, 'academicSession', 'terms', row.termSourcedIds),
    })),
    users: rowsOf(set, 'users').map((row) => ({
      ...common(row),
      username: row.username,
      userIds: [],
      enabledUser: bool(row.enabledUser),
      givenName: row.givenName,
      familyName: row.familyName,
      middleName: blankToUndefined(row.middleName),
      role: row.role,
      identifier: blankToUndefined(row.identifier),
      email: blankToUndefined(row.email),
      sms: blankToUndefined(row.sms),
      phone: blankToUndefined(row.phone),
      agents: refs(base, 'user', 'users', row.agentSourcedIds),
      orgs: refs(base, 'org', 'orgs', row.orgSourcedIds),
      grades: list(row.grades),
      ...(row['metadata.preferredLanguage']
        ? { metadata: { preferredLanguage: row['metadata.preferredLanguage'] } }
        : {}),
    })),
    enrollments: rowsOf(set, 'enrollments').map((row) => ({
      ...common(row),
      role: row.role,
      primary: bool(row.primary),
      beginDate: blankToUndefined(row.beginDate),
      endDate: blankToUndefined(row.endDate),
      user: ref(base, 'user', 'users', row.userSourcedId),
      class: ref(base, 'class', 'classes', row.classSourcedId),
      school: ref(base, 'org', 'schools', row.schoolSourcedId),
    })),
  };
}

/**
 * A stand-in for a district's OneRoster 1.1 REST provider, on loopback, speaking the wire protocol:
 * `POST /oauth/token` (client credentials in HTTP Basic) and `GET /ims/oneroster/v1p1/<collection>`
 * with `limit`/`offset`, `X-Total-Count`, and a `Link` rel="next" on users and enrollments (the other
 * collections page by the total alone). Tests script faults and read the requests it saw.
 */
export class OneRosterRestStandIn {
  readonly requests: StandInRequest[] = [];
  private faults: StandInFault[] = [];
  private readonly tokens = new Set<string>();
  private tokenCount = 0;
  private data: Record<Collection, Json[]> | null = null;
  private constructor(
    private readonly server: Server,
    readonly origin: string,
    private readonly clientId: string,
    private readonly clientSecret: string,
  ) {}

  static async start(credentials: { clientId: string; clientSecret: string }): Promise<OneRosterRestStandIn> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const standIn = new OneRosterRestStandIn(
      server,
      `http://127.0.0.1:${port}`,
      credentials.clientId,
      credentials.clientSecret,
    );
    server.on('request', (req: IncomingMessage, res: ServerResponse) => standIn.handle(req, res));
    return standIn;
  }

  get baseUrl(): string {
    return `${this.origin}${STAND_IN_BASE_PATH}`;
  }

  get tokenUrl(): string {
    return `${this.origin}/oauth/token`;
  }

  /** Serves `set` from now on, with `faults` (each once); forgets earlier requests. */
  serve(set: FixtureSet, faults: StandInFault[] = []): void {
    this.data = fixtureCollections(set, this.baseUrl);
    this.faults = [...faults];
    this.requests.length = 0;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private record(res: ServerResponse, entry: Omit<StandInRequest, 'status' | 'at'>, status: number): void {
    this.requests.push({ ...entry, status, at: Date.now() });
    res.statusCode = status;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.origin);
    if (req.method === 'POST' && url.pathname === '/oauth/token') return this.token(req, res);
    const collection = url.pathname.slice(STAND_IN_BASE_PATH.length + 1) as Collection;
    if (
      req.method !== 'GET' ||
      !url.pathname.startsWith(`${STAND_IN_BASE_PATH}/`) ||
      !COLLECTIONS.includes(collection)
    ) {
      res.statusCode = 404;
      return void res.end();
    }
    const limit = Number(url.searchParams.get('limit') ?? '100');
    const offset = Number(url.searchParams.get('offset') ?? '0');
    const entry = { collection, offset, limit };
    const faultIndex = this.faults.findIndex(
      (fault) => fault.collection === collection && fault.offset === offset,
    );
    const fault = faultIndex >= 0 ? this.faults.splice(faultIndex, 1)[0] : undefined;
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (fault?.kind === 'expire-token' && bearer) this.tokens.delete(bearer);
    if (!bearer || !this.tokens.has(bearer)) {
      this.record(res, entry, 401);
      res.setHeader('content-type', 'application/json');
      return void res.end(
        JSON.stringify({
          imsx_codeMajor: 'failure',
          imsx_severity: 'error',
          imsx_description: 'unauthorized',
        }),
      );
    }
    if (fault?.kind === '500') {
      this.record(res, entry, 500);
      return void res.end('upstream exploded');
    }
    if (fault?.kind === '429') {
      this.record(res, entry, 429);
      res.setHeader('retry-after', String(fault.retryAfterSeconds ?? 1));
      return void res.end();
    }
    const all = this.data![collection];
    const page = all.slice(offset, offset + limit);
    this.record(res, entry, 200);
    res.setHeader('content-type', 'application/json');
    res.setHeader('x-total-count', String(all.length));
    if (fault?.kind === 'foreign-next') {
      res.setHeader('link', `<http://127.0.0.2:9/${collection}?offset=${offset + limit}>; rel="next"`);
    } else if ((collection === 'users' || collection === 'enrollments') && offset + limit < all.length) {
      res.setHeader(
        'link',
        `<${STAND_IN_BASE_PATH}/${collection}?limit=${limit}&offset=${offset + limit}>; rel="next"`,
      );
    }
    res.end(JSON.stringify({ [collection]: page }));
  }

  private token(req: IncomingMessage, res: ServerResponse): void {
    const entry = { collection: 'token' as const, offset: 0, limit: 0 };
    const expected = `Basic ${Buffer.from(`${this.clientId}:${this.clientSecret}`).toString('base64')}`;
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.headers.authorization !== expected || body !== 'grant_type=client_credentials') {
        this.record(res, entry, 401);
        return void res.end(JSON.stringify({ error: 'invalid_client' }));
      }
      const token = `stand-in-token-${++this.tokenCount}`;
      this.tokens.add(token);
      this.record(res, entry, 200);
      res.end(JSON.stringify({ access_token: token, token_type: 'bearer', expires_in: 3600 }));
    });
  }
}

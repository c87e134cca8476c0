import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';

/**
 * A stand-in for AWS Translate on 127.0.0.1: it speaks TranslateText over AWS JSON 1.1 as REFERENCE.md
 * describes it, checks each request's SigV4 signature against the test credentials, and records every
 * request. By default it "translates" by wrapping the text in `«<target>:…»`; a test can script other
 * answers (errors, delays) per request.
 */

export const STAND_IN_CREDENTIALS = {
  accessKeyId: 'AKIDSTANDINTESTKEY01',
  secretAccessKey: 'stand-in-secret-for-tests-only-0000000000',
};

export interface TranslateTextBody {
  Text: string;
  SourceLanguageCode: string;
  TargetLanguageCode: string;
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  body: TranslateTextBody;
  /** Whether the Authorization header's signature matches the one computed with the test secret. */
  signatureValid: boolean;
}

export interface ScriptedAnswer {
  status: number;
  body: unknown;
  delayMs?: number;
}

export type Responder = (request: RecordedRequest, index: number) => ScriptedAnswer | undefined;

export function standInTranslation(text: string, target: string): string {
  return `«${target}:${text}»`;
}

export class TranslateStandIn {
  readonly requests: RecordedRequest[] = [];
  private responder: Responder = () => undefined;
  private detectedLanguage = 'en';

  private readonly server: Server;
  private listeningEndpoint = '';
  private readonly delayedAnswers = new Set<NodeJS.Timeout>();

  private constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const { status, body, delayMs } = this.answer(
          req.method ?? '',
          req.url ?? '',
          req.headers,
          Buffer.concat(chunks).toString('utf8'),
        );
        const timer = setTimeout(() => {
          this.delayedAnswers.delete(timer);
          res.writeHead(status, {
            'content-type': 'application/x-amz-json-1.1',
            'x-amzn-requestid': 'stand-in',
          });
          res.end(JSON.stringify(body));
        }, delayMs ?? 0);
        this.delayedAnswers.add(timer);
      });
    });
  }

  static async start(port = 0): Promise<TranslateStandIn> {
    const standIn = new TranslateStandIn();
    await new Promise<void>((resolve) => standIn.server.listen(port, '127.0.0.1', resolve));
    standIn.listeningEndpoint = `http://127.0.0.1:${(standIn.server.address() as AddressInfo).port}`;
    return standIn;
  }

  /** The base URL to configure as AWS_TRANSLATE_ENDPOINT. */
  get endpoint(): string {
    return this.listeningEndpoint;
  }

  /** Scripted answers by request index (from 0); undefined falls back to the default translation. */
  respondWith(responder: Responder): void {
    this.responder = responder;
  }

  /** What `SourceLanguageCode: auto` is detected as. */
  detectAs(language: string): void {
    this.detectedLanguage = language;
  }

  reset(): void {
    this.requests.length = 0;
    this.responder = () => undefined;
    this.detectedLanguage = 'en';
  }

  targets(): string[] {
    return this.requests.map((request) => request.body.TargetLanguageCode);
  }

  async close(): Promise<void> {
    this.delayedAnswers.forEach((timer) => clearTimeout(timer));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(method: string, url: string, headers: IncomingHttpHeaders, rawBody: string): ScriptedAnswer {
    const body = JSON.parse(rawBody || '{}') as TranslateTextBody;
    const request: RecordedRequest = {
      method,
      url,
      headers,
      rawBody,
      body,
      signatureValid: verifySigV4(method, url, headers, rawBody),
    };
    const index = this.requests.push(request) - 1;
    const scripted = this.responder(request, index);
    if (scripted) return scripted;
    const source = body.SourceLanguageCode === 'auto' ? this.detectedLanguage : body.SourceLanguageCode;
    return {
      status: 200,
      body: {
        TranslatedText: standInTranslation(body.Text, body.TargetLanguageCode),
        SourceLanguageCode: source,
        TargetLanguageCode: body.TargetLanguageCode,
      },
    };
  }
}

/** An AWS JSON 1.1 error answer, as AWS Translate sends them. */
export function awsError(
  status: number,
  type: string,
  message = `${type} from the stand-in`,
): ScriptedAnswer {
  return { status, body: { __type: type, message } };
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

/** Recomputes the SigV4 signature of a request with the stand-in's secret. */
function verifySigV4(method: string, url: string, headers: IncomingHttpHeaders, body: string): boolean {
  const match = AUTHORIZATION.exec(String(headers.authorization ?? ''));
  if (!match) return false;
  const [, accessKeyId, date, region, service, signedHeaders, signature] = match as unknown as string[];
  if (accessKeyId !== STAND_IN_CREDENTIALS.accessKeyId) return false;
  const amzDate = String(headers['x-amz-date'] ?? '');
  const canonicalHeaders = signedHeaders!
    .split(';')
    .map(
      (name) =>
        `${name}:${String(headers[name] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const [path, query = ''] = url.split('?');
  const canonicalRequest = [method, path, query, canonicalHeaders, signedHeaders, sha256(body)].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  let key: Buffer = hmac(`AWS4${STAND_IN_CREDENTIALS.secretAccessKey}`, date!);
  for (const part of [region!, service!, 'aws4_request']) key = hmac(key, part);
  return hmac(key, stringToSign).toString('hex') === signature;
}

function sha256(data: string): string {
  return createHash('sha256').update(data, 'utf8').digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

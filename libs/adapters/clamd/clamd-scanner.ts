import NodeClam from 'clamscan';
import { type Readable } from 'node:stream';

export type ScanVerdict = { verdict: 'clean' } | { verdict: 'infected'; signatures: string[] };

/** clamd could not give a verdict (down, timed out, cut the stream). The file stays unreleased. */
export class ScannerUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScannerUnavailableError';
  }
}

export interface ClamdScannerOptions {
  host: string;
  port: number;
  timeoutMs: number;
}

/**
 * Streams content to clamd (INSTREAM through the `clamscan` client). Fail closed: only an explicit
 * "not infected" answer is clean; an empty answer, a timeout or a cut connection is an error the caller
 * retries, never a pass.
 */
export class ClamdScanner {
  private client: Promise<NodeClam> | undefined;

  constructor(private readonly options: ClamdScannerOptions) {}

  async scan(content: Readable): Promise<ScanVerdict> {
    let result: { isInfected: boolean | null; viruses: string[] };
    try {
      const clam = await this.connect();
      result = await clam.scanStream(content);
    } catch (error) {
      this.client = undefined;
      throw new ScannerUnavailableError(
        `clamd gave no verdict: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (result.isInfected === false) return { verdict: 'clean' };
    if (result.isInfected === true) {
      return { verdict: 'infected', signatures: result.viruses.length ? result.viruses : ['unknown'] };
    }
    throw new ScannerUnavailableError('clamd answered without a verdict');
  }

  private connect(): Promise<NodeClam> {
    this.client ??= new NodeClam().init({
      removeInfected: false,
      debugMode: false,
      clamscan: { active: false },
      clamdscan: {
        host: this.options.host,
        port: this.options.port,
        timeout: this.options.timeoutMs,
        localFallback: false,
        active: true,
        bypassTest: true,
      },
      preference: 'clamdscan',
    });
    return this.client;
  }
}

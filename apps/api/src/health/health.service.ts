import { Inject, Injectable } from '@nestjs/common';
import { clamdVersion, pingClamd } from '../../../../libs/adapters/clamd/clamd-ping';
import { type ApiConfig } from '../../../../libs/config/config';
import { Database } from '../../../../libs/db/database';
import { API_CONFIG } from '../common/tokens';
import { TemporalClientService } from '../temporal/temporal-client.service';

export type DependencyName = 'postgres' | 'temporal' | 'clamd';
export interface CheckResult {
  status: 'up' | 'down';
  latencyMs: number;
  /** For operators only: the first line of the failure. */
  error?: string;
  /** For operators only: what answered. */
  version?: string;
}
export interface Readiness {
  ready: boolean;
  checkedAt: Date;
  checks: Record<DependencyName, CheckResult>;
}

/**
 * Readiness asks each dependency a cheap question with a deadline; one slow dependency cannot hang it.
 * Answers are shared for HEALTH_CACHE_MS (about a second): however often the public route is called,
 * the backends see at most one round of checks in that time, so readiness cannot multiply load.
 */
@Injectable()
export class HealthService {
  private cached: { at: number; readiness: Promise<Readiness> } | undefined;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly db: Database,
    private readonly temporal: TemporalClientService,
  ) {}

  readiness(): Promise<Readiness> {
    const now = Date.now();
    if (this.cached && now - this.cached.at < this.config.HEALTH_CACHE_MS) return this.cached.readiness;
    const readiness = this.check();
    this.cached = { at: now, readiness };
    return readiness;
  }

  private async check(): Promise<Readiness> {
    const timeout = this.config.HEALTH_CHECK_TIMEOUT_MS;
    const { CLAMD_HOST, CLAMD_PORT } = this.config;
    const [postgres, temporal, clamd] = await Promise.all([
      check(timeout, async () => {
        const version = await this.db.serverVersion();
        return version ? `PostgreSQL ${version}` : undefined;
      }),
      check(timeout, async () => {
        const info = await this.temporal.systemInfo(timeout);
        return info.serverVersion ? `Temporal ${info.serverVersion}` : undefined;
      }),
      check(timeout, async () => {
        await pingClamd(CLAMD_HOST, CLAMD_PORT, timeout);
        return clamdVersion(CLAMD_HOST, CLAMD_PORT, timeout);
      }),
    ]);
    const checks = { postgres, temporal, clamd };
    return {
      ready: Object.values(checks).every((c) => c.status === 'up'),
      checkedAt: new Date(),
      checks,
    };
  }
}

async function check(timeoutMs: number, probe: () => Promise<string | undefined>): Promise<CheckResult> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const version = await Promise.race([
      probe(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: 'up', latencyMs: Date.now() - started, ...(version ? { version } : {}) };
  } catch (error) {
    return { status: 'down', latencyMs: Date.now() - started, error: summarize(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** Dependency errors can be long driver dumps; keep the first line, which names the failure. */
function summarize(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split('\n')[0] ?? '').slice(0, 200);
}

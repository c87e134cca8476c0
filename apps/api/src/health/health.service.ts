import { Inject, Injectable } from '@nestjs/common';
import { pingClamd } from '../../../../libs/clamd/clamd-ping';
import { type ApiConfig } from '../../../../libs/config/config';
import { API_CONFIG } from '../common/tokens';
import { PrismaService } from '../database/prisma.service';
import { TemporalClientService } from '../temporal/temporal-client.service';

export type DependencyName = 'postgres' | 'temporal' | 'clamd';
export interface CheckResult {
  status: 'ok' | 'down';
  latencyMs: number;
  error?: string;
}
export interface Readiness {
  ready: boolean;
  checks: Record<DependencyName, CheckResult>;
}

/** Readiness asks each dependency a cheap question with a deadline; one slow dependency cannot hang it. */
@Injectable()
export class HealthService {
  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly prisma: PrismaService,
    private readonly temporal: TemporalClientService,
  ) {}

  async readiness(): Promise<Readiness> {
    const timeout = this.config.HEALTH_CHECK_TIMEOUT_MS;
    const [postgres, temporal, clamd] = await Promise.all([
      check(timeout, () => this.prisma.client.$queryRawUnsafe('SELECT 1')),
      check(timeout, () => this.temporal.ping(timeout)),
      check(timeout, () => pingClamd(this.config.CLAMD_HOST, this.config.CLAMD_PORT, timeout)),
    ]);
    const checks = { postgres, temporal, clamd };
    return { ready: Object.values(checks).every((c) => c.status === 'ok'), checks };
  }
}

async function check(timeoutMs: number, probe: () => Promise<unknown>): Promise<CheckResult> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: 'ok', latencyMs: Date.now() - started };
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

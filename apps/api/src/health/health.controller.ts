import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { type Response } from 'express';
import { Public } from '../auth/public.decorator';
import { ApiCommonErrors, ApiError } from '../common/api-errors.decorator';
import { type DependencyName, HealthService } from './health.service';

class LivenessDto {
  @ApiProperty({ enum: ['ok'] }) status!: 'ok';
}

class ReadinessChecksDto {
  @ApiProperty({ enum: ['up', 'down'] }) postgres!: 'up' | 'down';
  @ApiProperty({ enum: ['up', 'down'] }) temporal!: 'up' | 'down';
  @ApiProperty({ enum: ['up', 'down'] }) clamd!: 'up' | 'down';
}

class ReadinessDto {
  @ApiProperty({ enum: ['ok', 'unavailable'] }) status!: 'ok' | 'unavailable';
  @ApiProperty({ type: ReadinessChecksDto }) checks!: ReadinessChecksDto;
}

/**
 * Public health: status words only. Error text, latencies and versions would tell an attacker which
 * software answers and how it fails; they go to the logs and the operator listener (OperatorEndpoint).
 */
@ApiTags('health')
@ApiCommonErrors()
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('live')
  @ApiOkResponse({ type: LivenessDto, description: 'The process is up.' })
  live(): LivenessDto {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOkResponse({ type: ReadinessDto, description: 'PostgreSQL, Temporal and clamd all answer.' })
  @ApiError(503, 'At least one dependency is down; `checks` says which (up or down only).')
  async ready(
    @Res({ passthrough: true }) res: Response,
  ): Promise<ReadinessDto & { error?: { code: string; message: string } }> {
    const { ready, checks } = await this.health.readiness();
    const words = Object.fromEntries(
      Object.entries(checks).map(([name, check]) => [name, check.status]),
    ) as Record<DependencyName, 'up' | 'down'>;
    if (ready) return { status: 'ok', checks: words };
    res.status(HttpStatus.SERVICE_UNAVAILABLE);
    res.setHeader('Retry-After', '5');
    // The contract's error body too, so clients handle it like any other 503.
    return {
      status: 'unavailable',
      checks: words,
      error: { code: 'UNAVAILABLE', message: 'Not ready: a dependency is down.' },
    };
  }
}

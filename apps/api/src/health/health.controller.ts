import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { type Response } from 'express';
import { Public } from '../auth/public.decorator';
import { ApiCommonErrors, ApiError } from '../common/api-errors.decorator';
import { HealthService } from './health.service';

@ApiTags('health')
@ApiCommonErrors()
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('live')
  @ApiOkResponse({ description: 'The process is up.' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOkResponse({ description: 'PostgreSQL, Temporal and clamd all answer.' })
  @ApiError(503, 'At least one dependency is down; the body names it.')
  async ready(@Res({ passthrough: true }) res: Response) {
    const { ready, checks } = await this.health.readiness();
    if (ready) return { status: 'ok', checks };
    res.status(HttpStatus.SERVICE_UNAVAILABLE);
    const down = Object.entries(checks)
      .filter(([, c]) => c.status === 'down')
      .map(([name]) => name);
    return {
      status: 'unavailable',
      checks,
      error: {
        code: 'UNAVAILABLE',
        message: `Not ready: ${down.join(', ')} ${down.length === 1 ? 'is' : 'are'} down.`,
      },
    };
  }
}

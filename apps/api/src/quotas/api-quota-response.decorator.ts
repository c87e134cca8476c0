import { ApiResponse } from '@nestjs/swagger';
import { ErrorBodyDto } from '../common/api-errors.decorator';

/** Documents the 429 of a route whose writes count against a quota (QuotaService), in the error shape. */
export const ApiQuotaResponse = (quota: string) =>
  ApiResponse({
    status: 429,
    type: ErrorBodyDto,
    description: `RATE_LIMITED: the caller's or the district's ${quota} quota for this hour is used up.`,
    headers: {
      'Retry-After': {
        description: 'Seconds until the quota window ends.',
        schema: { type: 'integer', minimum: 1 },
      },
    },
  });

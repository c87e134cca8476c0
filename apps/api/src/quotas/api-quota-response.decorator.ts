import { ApiTooManyRequestsResponse } from '@nestjs/swagger';

/** Documents the 429 of a route whose writes count against a quota (QuotaService). */
export const ApiQuotaResponse = (quota: string) =>
  ApiTooManyRequestsResponse({
    description: `RATE_LIMITED: the caller's or the district's ${quota} quota for this hour is used up.`,
    headers: {
      'Retry-After': {
        description: 'Seconds until the quota window ends.',
        schema: { type: 'integer', minimum: 1 },
      },
    },
  });

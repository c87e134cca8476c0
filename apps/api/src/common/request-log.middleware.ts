import { type NextFunction, type Response } from 'express';
import { type Logger, safeUrlForLog } from '../../../../libs/logging/logger';
import { type HomeroomRequest } from './request-context';

/** One line per request: method, path without query or tokens, status, duration. Never bodies. */
export function requestLogMiddleware(logger: Logger) {
  return (req: HomeroomRequest, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      logger.info(
        {
          correlationId: req.correlationId,
          method: req.method,
          path: safeUrlForLog(req.originalUrl),
          status: res.statusCode,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
          userId: req.principal?.userId,
        },
        'request',
      );
    });
    next();
  };
}

import { randomUUID } from 'node:crypto';
import { type NextFunction, type Response } from 'express';
import { type HomeroomRequest } from './request-context';

const ACCEPTED_ID = /^[A-Za-z0-9-]{8,64}$/;

/** Every request gets an id that appears in its log lines, its error bodies and the X-Request-Id header. */
export function correlationIdMiddleware(req: HomeroomRequest, res: Response, next: NextFunction): void {
  const incoming = req.header('x-request-id');
  req.correlationId = incoming && ACCEPTED_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', req.correlationId);
  next();
}

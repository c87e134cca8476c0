import { type NextFunction, type Request, type Response } from 'express';
import { type ApiMetrics, methodLabel, statusClassLabel } from '../../../../libs/logging/metrics';

/**
 * Times every request into the route histogram. The route label is the matched route's template
 * (`/v1/conversations/:conversationId/messages`), read once the answer is sent, never the URL itself:
 * ids in paths would make one series per conversation and put them in the operators' metrics.
 */
export function requestMetricsMiddleware(metrics: ApiMetrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const stopTimer = metrics.httpRequestDuration.startTimer();
    res.on('finish', () => {
      const template: unknown = (req.route as { path?: unknown } | undefined)?.path;
      stopTimer({
        method: methodLabel(req.method),
        route: typeof template === 'string' ? template : 'unmatched',
        status_class: statusClassLabel(res.statusCode),
      });
    });
    next();
  };
}

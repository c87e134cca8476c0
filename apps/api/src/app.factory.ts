import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { type ApiConfig } from '../../../libs/config/config';
import { type Logger } from '../../../libs/logging/logger';
import { NestPinoLogger } from '../../../libs/logging/nest-logger';
import { AppModule } from './app.module';
import { createApiComposition } from './composition';
import { correlationIdMiddleware } from './common/correlation-id.middleware';
import { createOpenApiDocument } from './common/openapi';
import { requestLogMiddleware } from './common/request-log.middleware';
import { requestMetricsMiddleware } from './common/request-metrics.middleware';
import { HostileInputPipe } from './common/hostile-input.pipe';
import { createValidationPipe } from './common/validation.pipe';

/** JSON answers need no scripts, styles or frames at all. */
const API_CSP = {
  directives: {
    defaultSrc: ["'none'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
  },
};
/** The docs page is Swagger UI: its own scripts and styles, nothing from elsewhere. */
const DOCS_CSP = {
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:'],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
  },
};
const HSTS = { maxAge: 63_072_000, includeSubDomains: true, preload: true };

export async function createApp(config: ApiConfig, logger: Logger): Promise<INestApplication> {
  const composition = createApiComposition(config, logger);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(composition), {
    bodyParser: false,
    logger: new NestPinoLogger(logger.child({ component: 'nest' })),
  });
  app.disable('x-powered-by');
  // Whose X-Forwarded-For decides the client address the sign-in limits see (TRUST_PROXY).
  app.set('trust proxy', config.TRUST_PROXY);
  app.use(correlationIdMiddleware);
  app.use(requestLogMiddleware(logger));
  app.use(requestMetricsMiddleware(composition.metrics));
  const apiHelmet = helmet({ contentSecurityPolicy: API_CSP, hsts: HSTS });
  const docsHelmet = helmet({ contentSecurityPolicy: DOCS_CSP, hsts: HSTS });
  app.use((req: { path: string }, res: unknown, next: () => void) =>
    (req.path.startsWith('/docs') ? docsHelmet : apiHelmet)(req as never, res as never, next),
  );
  app.useBodyParser('json', { limit: config.REQUEST_BODY_LIMIT_BYTES });
  // Order matters: the hostile-input check bounds what DTO validation then has to walk.
  app.useGlobalPipes(new HostileInputPipe(), createValidationPipe());
  app.enableShutdownHooks();

  SwaggerModule.setup('docs', app, createOpenApiDocument(app), {
    jsonDocumentUrl: 'docs/openapi.json',
    yamlDocumentUrl: 'docs/openapi.yaml',
  });
  return app;
}

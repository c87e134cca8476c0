import 'reflect-metadata';
import { ConfigError, loadApiConfig } from '../../../libs/config/config';
import { createLogger } from '../../../libs/logging/logger';
import { createApp } from './app.factory';

async function main(): Promise<void> {
  let config;
  try {
    config = loadApiConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`homeroom-api: ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  const logger = createLogger({ name: 'homeroom-api', level: config.LOG_LEVEL });
  const app = await createApp(config, logger);
  await app.listen(config.API_PORT, config.API_HOST);
  logger.info({ address: `http://${config.API_HOST}:${config.API_PORT}` }, 'api listening');
}

void main();

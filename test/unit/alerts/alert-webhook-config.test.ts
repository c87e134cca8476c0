import { createHmac } from 'node:crypto';
import { alertSignature } from '../../../libs/alerts/alert-webhook';
import { loadApiConfig, loadWorkerConfig } from '../../../libs/config/config';
import { configProblems, minimalValidEnv } from '../../support/config-env';

const SECRET = 'a-webhook-secret-of-at-least-32-characters';

describe('alert webhook configuration', () => {
  it('when a webhook URL is set without a secret, then neither the API nor the worker starts, naming the secret', () => {
    const env = { ...minimalValidEnv(), ALERT_WEBHOOK_URL: 'http://127.0.0.1:9999/hook' };

    for (const load of [() => loadApiConfig(env), () => loadWorkerConfig(env)]) {
      expect(configProblems(load)).toEqual([
        'ALERT_WEBHOOK_SECRET: is required when ALERT_WEBHOOK_URL is set',
      ]);
    }
  });

  it('when the webhook is plain http in production, then start-up fails; on the local stack it is accepted', () => {
    const env = {
      ...minimalValidEnv(),
      ALERT_WEBHOOK_URL: 'http://alerts.example.org/hook',
      ALERT_WEBHOOK_SECRET: SECRET,
    };

    expect(configProblems(() => loadWorkerConfig({ ...env, HOMEROOM_ENV: 'production' }))).toContain(
      'ALERT_WEBHOOK_URL: must be an https URL when HOMEROOM_ENV is production',
    );
    expect(loadApiConfig({ ...env, HOMEROOM_ENV: 'local' }).ALERT_WEBHOOK_URL).toBe(env.ALERT_WEBHOOK_URL);
    expect(loadApiConfig({ ...env, HOMEROOM_ENV: 'test' }).ALERT_WEBHOOK_URL).toBe(env.ALERT_WEBHOOK_URL);
  });

  it('when the webhook is https with a secret in production, then the configuration is accepted', () => {
    const config = loadApiConfig({
      ...minimalValidEnv(),
      HOMEROOM_ENV: 'production',
      TRANSLATION_PROVIDER: 'local',
      ALERT_WEBHOOK_URL: 'https://alerts.example.org/hook',
      ALERT_WEBHOOK_SECRET: SECRET,
    });
    expect(config.ALERT_WEBHOOK_SECRET).toBe(SECRET);
  });

  it('when the secret is short, then start-up fails naming it', () => {
    const env = {
      ...minimalValidEnv(),
      ALERT_WEBHOOK_URL: 'https://a.example/h',
      ALERT_WEBHOOK_SECRET: 'short',
    };
    expect(configProblems(() => loadApiConfig(env))).toEqual([
      'ALERT_WEBHOOK_SECRET: must be at least 32 characters',
    ]);
  });
});

describe('alertSignature', () => {
  it('when signed, then it is the HMAC-SHA256 of "<timestamp>.<body>", so neither can change alone', () => {
    const body = '{"alert":{"id":"a1"}}';
    const signature = alertSignature(SECRET, '1700000000', body);

    expect(signature).toBe(
      `sha256=${createHmac('sha256', SECRET).update(`1700000000.${body}`).digest('hex')}`,
    );
    expect(alertSignature(SECRET, '1700000001', body)).not.toBe(signature);
    expect(alertSignature(SECRET, '1700000000', `${body} `)).not.toBe(signature);
    expect(alertSignature(`${SECRET}x`, '1700000000', body)).not.toBe(signature);
  });
});

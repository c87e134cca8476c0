import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, REPO_ROOT, spawnApi, spawnWorker, type ManagedProcess } from '../support/processes';

/**
 * The compiled API and worker, started as operators start them, with translation configured outside
 * the United States: both must refuse to start (exit code 78, EX_CONFIG) and say which variable is
 * wrong, before they touch the database, Temporal or any provider.
 */
describe('translation residency at start-up', () => {
  beforeAll(() => {
    if (!existsSync(join(REPO_ROOT, 'dist/apps/worker/src/main.js'))) {
      throw new Error('dist/ is missing: run `npx tsc -p tsconfig.build.json` first');
    }
  });

  async function exitOf(process: ManagedProcess): Promise<{ code: number | null; output: string }> {
    const code = await new Promise<number | null>((resolve) => {
      if (process.child.exitCode !== null) resolve(process.child.exitCode);
      else process.child.once('exit', (exitCode) => resolve(exitCode));
    });
    return { code, output: process.output() };
  }

  const refused: [string, Record<string, string>, RegExp][] = [
    [
      'AWS Translate in eu-west-1',
      { AWS_TRANSLATE_REGION: 'eu-west-1' },
      /AWS_TRANSLATE_REGION: must be a US region/,
    ],
    [
      'AWS Translate in ap-south-1',
      { AWS_TRANSLATE_REGION: 'ap-south-1' },
      /AWS_TRANSLATE_REGION: must be a US region/,
    ],
    [
      'a non-AWS endpoint',
      { AWS_TRANSLATE_REGION: 'us-east-1', AWS_TRANSLATE_ENDPOINT: 'https://translate.example.org' },
      /AWS_TRANSLATE_ENDPOINT: must be an AWS Translate endpoint in a US region/,
    ],
  ];

  it.each(refused)(
    'when the worker is configured with %s, then it refuses to start naming the variable',
    async (_what, env, message) => {
      const { code, output } = await exitOf(spawnWorker({ TRANSLATION_PROVIDER: 'aws', ...env }));
      expect(code).toBe(78);
      expect(output).toMatch(message);
    },
  );

  it.each(refused)(
    'when the API is configured with %s, then it refuses to start naming the variable',
    async (_what, env, message) => {
      const { code, output } = await exitOf(
        spawnApi({ TRANSLATION_PROVIDER: 'aws', API_PORT: String(await freePort()), ...env }),
      );
      expect(code).toBe(78);
      expect(output).toMatch(message);
    },
  );
});

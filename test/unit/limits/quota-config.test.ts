import { loadApiConfig } from '../../../libs/config/config';
import { configProblems, minimalValidEnv } from '../../support/config-env';

const validEnv = minimalValidEnv;
const problemsOf = (env: Record<string, string>) => configProblems(() => loadApiConfig(env));

describe('quota configuration', () => {
  it('when nothing is set, then the defaults leave room for a school day', () => {
    const config = loadApiConfig(validEnv());
    expect(config.QUOTA_MESSAGES_PER_USER_PER_HOUR).toBe(300);
    expect(config.QUOTA_ANNOUNCEMENTS_PER_TEACHER_PER_HOUR).toBe(30);
    expect(config.QUOTA_UPLOAD_BYTES_PER_USER_PER_HOUR).toBeGreaterThanOrEqual(config.UPLOAD_MAX_BYTES);
    expect(config.QUOTA_UPLOAD_BYTES_PER_DISTRICT_PER_HOUR).toBe(50 * 1024 ** 3);
  });

  it.each(['0', '-3', '2.5', 'many', ''])(
    'when a quota is %j, then start-up fails naming the variable',
    (value) => {
      expect(problemsOf({ ...validEnv(), QUOTA_REPORTS_PER_USER_PER_HOUR: value })).toEqual([
        expect.stringMatching(/^QUOTA_REPORTS_PER_USER_PER_HOUR: /),
      ]);
    },
  );

  it('when a quota is set, then the API uses it', () => {
    expect(
      loadApiConfig({ ...validEnv(), QUOTA_INVITATIONS_PER_USER_PER_HOUR: '7' })
        .QUOTA_INVITATIONS_PER_USER_PER_HOUR,
    ).toBe(7);
  });
});

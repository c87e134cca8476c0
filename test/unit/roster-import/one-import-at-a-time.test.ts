import {
  judgeRunningImport,
  UNSTARTED_IMPORT_GRACE_MS,
  type WorkflowState,
} from '../../../libs/roster-import/one-import-at-a-time';

const NOW = new Date('2026-12-03T12:00:00Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const temporalSays = (state: WorkflowState) => async () => state;

describe('judgeRunningImport: whether an import marked running still holds its district', () => {
  const row = (startedAt: Date, workflowId: string | null = 'roster-d-i') => ({
    id: 'i',
    workflowId,
    blobPath: null,
    startedAt,
  });

  it('when its workflow is running, then it blocks however old it is', async () => {
    expect(await judgeRunningImport(row(ago(0)), temporalSays('running'), NOW)).toBe('blocking');
    expect(await judgeRunningImport(row(ago(30 * 86_400_000)), temporalSays('running'), NOW)).toBe(
      'blocking',
    );
  });

  it('when its workflow has closed without finishing it, then it is abandoned however young it is', async () => {
    expect(await judgeRunningImport(row(ago(0)), temporalSays('closed'), NOW)).toBe('abandoned');
  });

  it('when its workflow does not exist yet, then it blocks within the grace period and is abandoned after', async () => {
    expect(
      await judgeRunningImport(row(ago(UNSTARTED_IMPORT_GRACE_MS - 1)), temporalSays('not-found'), NOW),
    ).toBe('blocking');
    expect(
      await judgeRunningImport(row(ago(UNSTARTED_IMPORT_GRACE_MS)), temporalSays('not-found'), NOW),
    ).toBe('abandoned');
  });

  it('when it has no workflow id at all, then it is abandoned without asking Temporal', async () => {
    const lookup = jest.fn(temporalSays('running'));
    expect(await judgeRunningImport(row(ago(0), null), lookup, NOW)).toBe('abandoned');
    expect(lookup).not.toHaveBeenCalled();
  });
});

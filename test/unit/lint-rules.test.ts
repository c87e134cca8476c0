import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** The project's lint rules are part of its security: prove the ones that guard invariants do refuse. */
describe('lint rules', () => {
  const root = join(__dirname, '../..');
  // The CLI in a child process: Jest's module sandbox cannot load the ESM config file itself.
  const problemsIn = async (filePath: string, code: string): Promise<number[]> => {
    const run = promisify(execFile);
    const child = run(
      process.execPath,
      [
        join(root, 'node_modules/eslint/bin/eslint.js'),
        '--stdin',
        '--stdin-filename',
        filePath,
        '--format',
        'json',
      ],
      { cwd: root },
    );
    child.child.stdin?.end(code);
    const { stdout } = await child.catch((error: { stdout: string }) => ({ stdout: error.stdout }));
    const [result] = JSON.parse(stdout) as { messages: { ruleId: string | null; line: number }[] }[];
    return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-syntax').map((m) => m.line);
  };

  it.each(['apps/api/src/probe.ts', 'libs/probe.ts', 'activities/probe.ts', 'workflows/probe.ts'])(
    'when %s builds a RegExp from a variable or a template, then lint refuses each one',
    async (file) => {
      const code = [
        'export function f(input: string) {',
        '  const a = new RegExp(input);',
        '  const b = RegExp(`^${input}`);',
        "  const c = new RegExp('^' + input);",
        "  const d = new RegExp('^literal$');",
        '  const e = /^literal$/;',
        '  return [a, b, c, d, e];',
        '}',
        '',
      ].join('\n');
      expect(await problemsIn(file, code)).toEqual([2, 3, 4]);
    },
  );

  it('when a test builds a RegExp from a variable, then lint lets it be', async () => {
    expect(
      await problemsIn('test/unit/probe.test.ts', 'export const r = (s: string) => new RegExp(s);\n'),
    ).toEqual([]);
  });
});

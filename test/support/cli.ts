import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './processes';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the compiled operator CLI (`npm run build`) as an operator would, with `env` over the test's. */
export function homeroom(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/homeroom.js'), ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

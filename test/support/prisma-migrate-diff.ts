import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface PrismaMigrateDiff {
  /** False when Prisma's schema engine finds nothing to change between the database and the schema. */
  differs: boolean;
  /** The SQL Prisma would run to bring the database to the schema ("-- This is an empty migration." if none). */
  script: string;
}

const SCRIPT = join(__dirname, 'prisma-migrate-diff.mjs');

/** What `prisma migrate diff` says between the database at `databaseUrl` and `schemaText`. */
export function prismaMigrateDiff(databaseUrl: string, schemaText: string): Promise<PrismaMigrateDiff> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT], {
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`prisma-migrate-diff.mjs exited with ${code}: ${stderr.trim()}`));
        return;
      }
      const result = JSON.parse(stdout) as { exitCode: number; script: string };
      resolve({ differs: result.exitCode !== 0, script: result.script });
    });
    child.stdin.end(schemaText);
  });
}

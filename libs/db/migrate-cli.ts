import { applyMigrations } from './migrate';

/** `node dist/libs/db/migrate-cli.js`: applies pending migrations to DATABASE_URL, prints `{"applied":[...]}`. */
async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    throw new Error('DATABASE_URL is not set; point it at the PostgreSQL database to migrate');
  }
  const applied = await applyMigrations(databaseUrl);
  process.stdout.write(`${JSON.stringify({ applied })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`migrate: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});

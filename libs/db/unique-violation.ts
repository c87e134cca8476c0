/**
 * Whether `error` is Prisma's unique-constraint failure (P2002) on `constraint`. With the pg driver
 * adapter the constraint's name is reported in the error's metadata or message rather than as fields,
 * so both are searched.
 */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, meta, message } = error as { code?: unknown; meta?: unknown; message?: unknown };
  if (code !== 'P2002') return false;
  return JSON.stringify(meta ?? {}).includes(constraint) || String(message ?? '').includes(constraint);
}

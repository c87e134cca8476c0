/** Every suite runs against the real stack that scripts/test.sh brings up; see README.md. */
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  // Type checking is `npm run typecheck`'s job; tests only transpile, which keeps suites fast.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // The generated Prisma client imports './x.ts'; tsc rewrites that to './x.js', which Jest maps back.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  setupFiles: ['reflect-metadata'],
  testTimeout: 60_000,
  maxWorkers: 2,
};

/** Every suite runs against the real stack that scripts/test.sh brings up; see README.md. */
const ESM_ONLY = ['openid-client', 'oauth4webapi', 'jose'];

module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  // Type checking is `npm run typecheck`'s job; tests only transpile, which keeps suites fast.
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }],
    // openid-client and its dependencies ship ES modules only, which Jest's CommonJS registry cannot
    // require on Node 20: they are transpiled to CommonJS like our own files (Node itself loads them
    // with require(esm) in the built app).
    [`/node_modules/(${ESM_ONLY.join('|')})/.+\\.js$`]: [
      'ts-jest',
      { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022' }, diagnostics: false },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'json'],
  // The generated Prisma client imports './x.ts'; tsc rewrites that to './x.js', which Jest maps back.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  setupFiles: ['reflect-metadata'],
  testTimeout: 60_000,
  maxWorkers: 2,
};

/**
 * The layers of Homeroom, enforced (README "How the code is laid out"). `npm test` runs
 * `npm run depcruise`; a violation fails the run. Lowest first:
 *   libs/domain    pure rules: no I/O, no clock or network, imports only itself
 *   foundation     libs/{crypto,config,logging,audit}: primitives every layer may use
 *   data+adapters  libs/db (the only road to PostgreSQL) and libs/adapters/* (every other outside system)
 *   use cases      the other libs/* folders: combine domain rules with adapters
 *   activities     Temporal activities: call use cases
 *   workflows      orchestration only: deterministic, workflow-safe imports, activities by type
 *   apps           api, worker, cli: composition roots and translation at the edge
 * A type-only import is not a runtime dependency, but it still may not point upward, except where a
 * rule below says so (the Temporal gateway types workflow starts by their workflow functions).
 */
const DOMAIN = '^libs/domain/';
const FOUNDATION = '^libs/(crypto|config|logging|audit)/';
const DATA_AND_ADAPTERS = '^libs/(db|adapters)/';
const USE_CASES = '^libs/(?!domain/|adapters/|db/|crypto/|config/|logging/|audit/)[^/]+/';
const PRODUCT = '^(apps|libs|workflows|activities)/';
const TOOLING = '^(test|bench|scripts)/';
const GENERATED = '^libs/db/generated/';
// Workflow code runs in Temporal's deterministic sandbox: only these may be imported as values.
const WORKFLOW_SAFE_NPM = 'node_modules/@temporalio/(workflow|common)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Import cycles hide which module owns a rule and make start-up order matter.',
      severity: 'error',
      from: { pathNot: GENERATED },
      to: { circular: true, pathNot: GENERATED },
    },
    {
      name: 'domain-is-pure',
      comment: 'libs/domain holds pure rules: it imports only itself and pure packages (no I/O).',
      severity: 'error',
      from: { path: DOMAIN },
      to: {
        pathNot: [DOMAIN, 'node_modules/(fflate|zod)/'],
        dependencyTypesNot: ['core'],
      },
    },
    {
      name: 'domain-no-io-builtins',
      comment: 'Pure rules compute; reading files, sockets and processes belongs to adapters.',
      severity: 'error',
      from: { path: DOMAIN },
      to: { dependencyTypes: ['core'], pathNot: '^(zlib|crypto|node:zlib|node:crypto)$' },
    },
    {
      name: 'foundation-stays-low',
      comment: 'Crypto, config, logging and the audit chain sit under the data layer and adapters.',
      severity: 'error',
      from: { path: FOUNDATION },
      to: { path: [DATA_AND_ADAPTERS, USE_CASES, '^(apps|workflows|activities)/'] },
    },
    {
      name: 'adapters-below-use-cases',
      comment: "The data layer and adapters talk to the outside; deciding is the use cases' job.",
      severity: 'error',
      from: { path: DATA_AND_ADAPTERS },
      to: { path: [USE_CASES, '^(apps|activities)/'] },
    },
    {
      name: 'only-the-gateway-knows-workflows',
      comment:
        'Workflows are started by name through the Temporal gateway, which alone may import their types.',
      severity: 'error',
      from: { path: '^libs/', pathNot: '^libs/adapters/temporal/' },
      to: { path: '^workflows/' },
    },
    {
      name: 'gateway-types-workflows-only',
      comment: 'The gateway types a start by its workflow function; it never loads workflow code.',
      severity: 'error',
      from: { path: '^libs/adapters/temporal/' },
      to: { path: '^workflows/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'one-temporal-gateway',
      comment:
        'Every start, schedule, query and cancel goes through libs/adapters/temporal; only composition roots (and the API readiness check) hold a client.',
      severity: 'error',
      from: {
        path: PRODUCT,
        pathNot: [
          '^libs/adapters/temporal/',
          '^apps/[^/]+/(src/)?composition\\.ts$',
          '^apps/api/src/temporal/',
        ],
      },
      to: { path: 'node_modules/@temporalio/client/' },
    },
    {
      name: 'use-cases-below-processes',
      comment: 'Use cases are called by apps and activities, never the other way round.',
      severity: 'error',
      from: { path: USE_CASES },
      to: { path: '^(apps|activities)/' },
    },
    {
      name: 'activities-below-apps-and-workflows',
      comment: 'Activities run use cases; they are registered by the worker and called by workflows.',
      severity: 'error',
      from: { path: '^activities/' },
      to: { path: ['^apps/', '^workflows/'] },
    },
    {
      name: 'workflows-are-workflow-safe',
      comment:
        "Workflow code is deterministic: values only from workflows/, libs/domain and Temporal's workflow packages; activities and other modules by type only.",
      severity: 'error',
      from: { path: '^workflows/' },
      to: {
        dependencyTypesNot: ['type-only'],
        pathNot: ['^workflows/', DOMAIN, '^libs/adapters/temporal/workflow-safe/', WORKFLOW_SAFE_NPM],
      },
    },
    {
      name: 'apps-do-not-share-code',
      comment: 'Each app is its own composition root; what two need belongs in libs.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'product-never-imports-tooling',
      comment: 'Test, bench and script code (generators, fixtures, stand-ins) never ships.',
      severity: 'error',
      from: { path: PRODUCT },
      to: { path: TOOLING },
    },
    {
      name: 'prisma-is-private-to-libs-db',
      comment: 'One road to the data: every query goes through a district-scoped repository.',
      severity: 'error',
      from: { path: PRODUCT, pathNot: '^libs/db/' },
      to: {
        path: ['^libs/db/(prisma|testing)\\.ts$', GENERATED, 'node_modules/(@prisma|pg)/'],
      },
    },
    {
      name: 'tooling-uses-the-data-layer',
      comment:
        'Benchmarks and scripts use the data layer like the product does; raw pg only for a baseline (COPY).',
      severity: 'error',
      from: { path: '^(bench|scripts)/' },
      to: { path: ['^libs/db/(prisma|testing)\\.ts$', GENERATED, 'node_modules/@prisma/'] },
    },
    {
      name: 'tests-reach-prisma-through-support',
      comment: 'Tests may inspect rows, but only through test/support.',
      severity: 'error',
      from: { path: '^test/', pathNot: '^test/support/' },
      to: { path: ['^libs/db/(prisma|testing)\\.ts$', GENERATED] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|\\.data|\\.tools)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};

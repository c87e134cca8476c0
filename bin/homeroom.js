#!/usr/bin/env node
'use strict';
// `npx homeroom …`: the operator command line, compiled to dist/ by `npm run build` (npm start and
// npm test build it). Without DATABASE_URL it uses the local stack's settings from .data/local.env.
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const entry = join(root, 'dist/apps/cli/main.js');
if (!existsSync(entry)) {
  process.stderr.write('homeroom: not built yet; run `npm run build` (npm start does it for you)\n');
  process.exit(1);
}
const localEnv = join(root, '.data/local.env');
if (!process.env.DATABASE_URL && existsSync(localEnv)) {
  for (const line of readFileSync(localEnv, 'utf8').split('\n')) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match && process.env[match[1]] === undefined)
      process.env[match[1]] = match[2].replace(/^"(.*)"$/, '$1');
  }
}
require(entry).runCliProcess(process.argv.slice(2));

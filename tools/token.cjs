#!/usr/bin/env node
// Mints a development bearer token: npm run token -- --scope user --user 42 --company 7
// Signs with AUTH_JWT_SECRET, or the documented development secret when it is unset.
const { parseArgs } = require('node:util');
const { mintToken, DEVELOPMENT_JWT_SECRET } = require('../libs/auth/dist/index.js');

const usage = 'usage: npm run token -- --scope user|company --company <id> [--user <id>] [--expires 1h]';
function fail(message) {
  process.stderr.write(`token: ${message}\n${usage}\n`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      scope: { type: 'string' },
      user: { type: 'string' },
      company: { type: 'string' },
      expires: { type: 'string', default: '1h' },
    },
  }));
} catch (error) {
  fail(error.message);
}
const id = (name, value) => {
  if (!/^[1-9]\d{0,15}$/.test(value ?? '')) fail(`--${name} must be a positive integer`);
  return Number(value);
};
const companyId = id('company', values.company);
let principal;
if (values.scope === 'user') principal = { scope: 'user', userId: id('user', values.user), companyId };
else if (values.scope === 'company') principal = { scope: 'company', companyId };
else fail('--scope must be user or company');

const secret = process.env.AUTH_JWT_SECRET || DEVELOPMENT_JWT_SECRET;
mintToken(secret, principal, { expiresIn: values.expires }).then((token) => process.stdout.write(`${token}\n`));

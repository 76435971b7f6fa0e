#!/usr/bin/env node
// `npm run vapid`: prints a new VAPID key pair for the notifier's Web Push, as env lines to paste
// into its environment (or a .env file). The private key is a secret: keep it out of git.
const { generateVAPIDKeys } = require(
  require.resolve('web-push', { paths: [require('node:path').join(__dirname, '..', 'apps', 'notifier')] }),
);

const { publicKey, privateKey } = generateVAPIDKeys();
process.stdout.write(
  [
    `VAPID_PUBLIC_KEY=${publicKey}`,
    `VAPID_PRIVATE_KEY=${privateKey}`,
    '# and a contact for the push services, e.g.:',
    'VAPID_SUBJECT=mailto:ops@your-company.example',
    '',
  ].join('\n'),
);

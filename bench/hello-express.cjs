#!/usr/bin/env node
// The raw HTTP limit of this machine for our stack: a bare express hello-world (no middleware),
// loaded by the same autocannon with the same connections as the services.
//   PORT=18190 node bench/hello-express.cjs
const express = require('express');

const app = express();
app.get('/', (_req, res) => res.send('Hello World!'));
app.get('/readyz', (_req, res) => res.send('ok'));
const server = app.listen(Number(process.env.PORT ?? 18190), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));

#!/usr/bin/env node
// The floor's gateway: a yardstick, not a product path. It is the shape of our gateway's create
// built from the same stack (express, express.json(), one undici Pool to the command service) with
// NONE of the product's guarantees: no auth, no rate limit, no logging, no validation, no outbox,
// no idempotency keys, no If-Match / stream reads, no metrics, no fences, no consistency tokens.
// It parses the body, forwards the POST to the floor command (bench/floor/floor-command.cjs) and
// relays its status and body. bench/groups/single.cjs measures it next to our gateway.
//   PORT FLOOR_COMMAND_URL node bench/floor/floor-gateway.cjs
const express = require('express');
const { Pool } = require('undici');
const { API } = require('../lib/http.cjs');
const { env, onSigterm } = require('./floor-env.cjs');

const upstream = new Pool(env('FLOOR_COMMAND_URL'), { connections: 64 });
const app = express();
app.use(express.json());
app.get('/readyz', (_req, res) => res.send('ok'));
app.post(API, async (req, res) => {
  try {
    const answer = await upstream.request({
      path: API,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: req.headers.authorization ?? '' },
      body: JSON.stringify(req.body),
    });
    const body = Buffer.from(await answer.body.arrayBuffer());
    res.status(answer.statusCode).type('application/json').end(body);
  } catch {
    res.status(502).json({ error: 'upstream failed' });
  }
});
const server = app.listen(Number(env('PORT')), '127.0.0.1');
onSigterm(async () => {
  await new Promise((resolve) => server.close(resolve));
  await upstream.close();
});

import type { z } from 'zod';
import { SmartlinkActivityBody } from '@reps/contracts';

type Json = Record<string, unknown>;

const TAG = 'Public SmartLink tracking';
const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const error = (description: string, extra: Json = {}): Json => ({
  description,
  ...extra,
  content: { 'application/json': { schema: ref('ErrorResponse') } },
});
const RETRY_AFTER = {
  headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } },
};
const TOKEN_PARAM: Json = {
  name: 'token',
  in: 'path',
  required: true,
  description: 'The SmartLink token from the share URL',
  schema: { type: 'string', minLength: 1, maxLength: 200 },
};
const NOT_FOUND =
  'Unknown or revoked token (or a target the company no longer allows): one answer for all, same body';
const NO_STORE = {
  'Cache-Control': { description: '`no-store`', schema: { type: 'string' } },
  'Referrer-Policy': { description: '`no-referrer`', schema: { type: 'string' } },
};

/** The request bodies of the public routes (documented with the other inputs). */
export const PUBLIC_SMARTLINK_SCHEMAS: [string, z.ZodType][] = [
  ['SmartlinkActivityBody', SmartlinkActivityBody],
];

const open = (method: 'get' | 'head'): Json => ({
  operationId: method === 'get' ? 'publicOpenSmartlink' : 'publicCheckSmartlink',
  tags: [TAG],
  security: [],
  summary: method === 'get' ? 'Follow a SmartLink' : 'Check a SmartLink without counting an open',
  description:
    method === 'get'
      ? 'Redirects (302) to the target and records `smartlink.opened` (time and User-Agent, never the IP). Prefetches (`Purpose: prefetch`, `Sec-Purpose: prefetch…`) and link-preview agents (chat apps, crawlers) are redirected but not counted. The target is checked against the company’s allowed hosts again on every open.'
      : 'Answers like GET (302 or 404) and never counts as an open.',
  parameters: [TOKEN_PARAM],
  responses: {
    '302': {
      description: 'To the target',
      headers: { Location: { description: 'The target URL', schema: { type: 'string' } }, ...NO_STORE },
    },
    '400': error('A malformed request line or path'),
    '404': error(NOT_FOUND, { headers: NO_STORE }),
    '429': error('Too many requests from this IP or for this token', RETRY_AFTER),
    '503': error('contacts-command is unavailable', RETRY_AFTER),
  },
});

/** The public routes' OpenAPI paths: their own tag, `security: []` (no token). */
export const PUBLIC_SMARTLINK_PATHS: Record<string, Json> = {
  '/l/{token}': { get: open('get'), head: open('head') },
  '/api/public/smartlinks/{token}/activities': {
    post: {
      operationId: 'publicRecordSmartlinkActivity',
      tags: [TAG],
      security: [],
      summary: 'Report what the contact did (the company site’s beacon)',
      description:
        'CORS is open to any origin on this route (preflight included); `text/plain` JSON is accepted too, so `navigator.sendBeacon` works without a preflight. Records `smartlink.activity_recorded`. A bad body is a 422 whatever the token.',
      parameters: [TOKEN_PARAM],
      requestBody: {
        required: true,
        content: { 'application/json': { schema: ref('SmartlinkActivityBody') } },
      },
      responses: {
        '202': {
          description: 'Recorded',
          content: { 'application/json': { schema: ref('ActivityAcceptedResponse') } },
        },
        '400': error('Malformed JSON'),
        '404': error(NOT_FOUND),
        '413': error('Body over the limit'),
        '415': error('Unsupported charset or content encoding'),
        '422': error(
          'Unknown `type`, `properties` over 4 KB, a bad `occurred_at` or `item`, an unknown field',
        ),
        '429': error('Too many requests from this IP or for this token', RETRY_AFTER),
        '503': error('contacts-command is unavailable', RETRY_AFTER),
      },
    },
  },
};

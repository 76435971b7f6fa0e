import {
  ActivityFeedQuery,
  ContactActivityListQuery,
  SmartlinkCreateBody,
  SmartlinkListQuery,
  SmartlinkSettingsBody,
} from '@reps/contracts';
import type { ApiOperation } from '../contacts/contact-operations';

// Statuses every /api operation can answer, and those of a request that may carry a body.
const COMMON = [400, 401, 403, 429, 503];
const BODY = [413, 415];

const TAG = 'User SmartLinks';
const SMARTLINK_ID = { id: 'The SmartLink id' };
const outOfScope = "Another rep's SmartLink is a 404, exactly like one that does not exist.";

/**
 * SmartLinks (DESIGN §6): the rep's links (user scope only — a company token is a 403) and the
 * company's allowed target hosts (company scope). The public tracking routes are not here: they
 * take no token (see `public-smartlink-routes.ts`).
 */
export const SMARTLINK_OPERATIONS: readonly ApiOperation[] = [
  {
    operationId: 'userListSmartlinks',
    scope: 'user',
    method: 'GET',
    path: '/smartlinks',
    upstream: 'query',
    kind: 'list',
    tag: TAG,
    summary: "List the rep's SmartLinks",
    description:
      'Newest first, a page at a time (opaque `cursor`), optionally one contact’s (`contact_id`). Counts come from the read model. Unknown parameters are a 400.',
    query: SmartlinkListQuery,
    response: { schemaName: 'SmartlinkListResponse', description: 'A page of SmartLinks' },
    success: 200,
    statuses: [200, ...COMMON],
    headers: ['x-consistency-token'],
  },
  {
    operationId: 'userGetSmartlink',
    scope: 'user',
    method: 'GET',
    path: '/smartlinks/:id',
    upstream: 'query',
    kind: 'get',
    tag: TAG,
    summary: 'Get a SmartLink',
    description: `With its share URL, opens and activities. ${outOfScope}`,
    pathParams: SMARTLINK_ID,
    response: { schemaName: 'SmartlinkResponse', description: 'The SmartLink' },
    success: 200,
    statuses: [200, ...COMMON, 404],
    headers: ['x-consistency-token'],
  },
  {
    operationId: 'userCreateSmartlink',
    scope: 'user',
    method: 'POST',
    path: '/smartlinks',
    upstream: 'command',
    kind: 'create',
    tag: TAG,
    summary: 'Share an item with a contact through a new SmartLink',
    description:
      "For one of your contacts (not discarded; others are a 422 on `contact_id`). The target `url` must be https (plain http only outside production), carry no credentials, and be on one of the company's allowed hosts or a subdomain (`smartlink_settings`); anything else — `javascript:`, `data:`, other hosts — is a 422 on `url` and writes nothing. The answer carries the `token` and `share_url` to send.",
    body: {
      schemaName: 'SmartlinkCreateBody',
      schema: SmartlinkCreateBody,
      wrapped: true,
      wrapper: 'smartlink',
    },
    bodyDescription: 'The SmartLink, bare or wrapped as `{"smartlink": {...}}`',
    response: { schemaName: 'SmartlinkResponse', description: 'Created' },
    success: 201,
    statuses: [201, ...COMMON, ...BODY, 409, 422],
    headers: ['idempotency-key'],
  },
  {
    operationId: 'userRevokeSmartlink',
    scope: 'user',
    method: 'DELETE',
    path: '/smartlinks/:id',
    upstream: 'command',
    kind: 'delete',
    tag: TAG,
    summary: 'Revoke a SmartLink',
    description: `Soft: the link keeps its history and gets \`revoked_at\`; its share URL answers 404 from now on. Revoking again changes nothing. ${outOfScope}`,
    pathParams: SMARTLINK_ID,
    response: null,
    success: 204,
    statuses: [204, ...COMMON, ...BODY, 404, 409, 412],
    headers: ['if-match'],
  },
  {
    operationId: 'companyGetSmartlinkSettings',
    scope: 'company',
    method: 'GET',
    path: '/smartlink_settings',
    upstream: 'command',
    kind: 'get',
    tag: 'Company SmartLink settings',
    summary: "The company's allowed SmartLink target hosts",
    description:
      'Until the company sets them, the deployment default (`SMARTLINK_DEFAULT_ALLOWED_HOSTS`) applies and `updated_at` is null.',
    response: { schemaName: 'SmartlinkSettingsResponse', description: 'The settings' },
    success: 200,
    statuses: [200, ...COMMON],
    headers: [],
  },
  {
    operationId: 'companyPutSmartlinkSettings',
    scope: 'company',
    method: 'PUT',
    path: '/smartlink_settings',
    upstream: 'command',
    kind: 'update',
    tag: 'Company SmartLink settings',
    summary: "Replace the company's allowed SmartLink target hosts",
    description:
      'Host names only (no scheme, port or path), at most 50; a host allows its subdomains. Existing links whose target is no longer allowed stop redirecting (404) at once.',
    body: {
      schemaName: 'SmartlinkSettingsBody',
      schema: SmartlinkSettingsBody,
      wrapped: true,
      wrapper: 'smartlink_settings',
    },
    bodyDescription: 'The settings, bare or wrapped as `{"smartlink_settings": {...}}`',
    response: { schemaName: 'SmartlinkSettingsResponse', description: 'The settings now' },
    success: 200,
    statuses: [200, ...COMMON, ...BODY, 422],
    headers: [],
  },
];

const contactActivities = (scope: 'user' | 'company'): ApiOperation => ({
  operationId: `${scope}ListContactActivities`,
  scope,
  method: 'GET',
  path: '/contacts/:id/activities',
  upstream: 'query',
  kind: 'list',
  tag: scope === 'user' ? 'User activities' : 'Company activities',
  summary: "A contact's activity timeline",
  description:
    scope === 'user'
      ? 'Newest first: SmartLink opens and activities, changes, group memberships (and notes and tasks). A contact that is not yours is a 404. Unknown parameters are a 400.'
      : 'Newest first, for a company-visible contact (any other is a 404), and only entries a company may see (never the rep’s groups). Unknown parameters are a 400.',
  query: ContactActivityListQuery,
  response: { schemaName: 'ActivityListResponse', description: 'A page of entries' },
  success: 200,
  statuses: [200, ...COMMON, 404],
  headers: ['x-consistency-token'],
});

export const ACTIVITY_OPERATIONS: readonly ApiOperation[] = [
  contactActivities('user'),
  contactActivities('company'),
  {
    operationId: 'userListActivities',
    scope: 'user',
    method: 'GET',
    path: '/activities',
    upstream: 'query',
    kind: 'list',
    tag: 'User activities',
    summary: "The rep's activity feed",
    description:
      'Every entry about the rep’s contacts, newest first; filters `contact_id`, `type`, `since`. Unknown parameters are a 400.',
    query: ActivityFeedQuery,
    response: { schemaName: 'ActivityListResponse', description: 'A page of entries' },
    success: 200,
    statuses: [200, ...COMMON],
    headers: ['x-consistency-token'],
  },
];

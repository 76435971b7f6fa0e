import {
  GROUP_CONTACTS_MAX,
  GroupContactsAddBody,
  GroupCreateBody,
  GroupListQuery,
  GroupUpdateBody,
} from '@reps/contracts';
import type { ApiOperation } from '../contacts/contact-operations';

// Statuses every /api operation can answer, and those of a request that may carry a body.
const COMMON = [400, 401, 403, 429, 503];
const BODY = [413, 415];

const TAG = 'User groups';
const GROUP_ID = { id: 'The group id' };
const outOfScope = "Another rep's group is a 404, exactly like one that does not exist.";

/**
 * The groups operations (DESIGN §6): user scope only — a company token on them is a 403, like any
 * token of the other scope. Same table shape as the contacts', so routes and OpenAPI come from it.
 */
export const GROUP_OPERATIONS: readonly ApiOperation[] = [
  {
    operationId: 'userListGroups',
    scope: 'user',
    method: 'GET',
    path: '/groups',
    upstream: 'query',
    kind: 'list',
    tag: TAG,
    summary: "List the rep's groups",
    description:
      'The rep’s groups by name (case-insensitive), a page at a time (opaque `cursor`). `contacts_count` counts members that are not discarded. Unknown parameters are a 400.',
    query: GroupListQuery,
    response: { schemaName: 'GroupListResponse', description: 'A page of groups' },
    success: 200,
    statuses: [200, ...COMMON],
    headers: ['x-consistency-token'],
  },
  {
    operationId: 'userGetGroup',
    scope: 'user',
    method: 'GET',
    path: '/groups/:id',
    upstream: 'query',
    kind: 'get',
    tag: TAG,
    summary: 'Get a group',
    description: `${outOfScope} Send the \`X-Consistency-Token\` of a write to read your own write.`,
    pathParams: GROUP_ID,
    response: { schemaName: 'GroupResponse', description: 'The group' },
    success: 200,
    statuses: [200, ...COMMON, 404],
    headers: ['x-consistency-token'],
  },
  {
    operationId: 'userCreateGroup',
    scope: 'user',
    method: 'POST',
    path: '/groups',
    upstream: 'command',
    kind: 'create',
    tag: TAG,
    summary: 'Create a group',
    description:
      'The name is unique per rep, compared case-insensitively (409 `group_name_taken`). Read-only and unknown fields are a 422 naming each one. With `Idempotency-Key`, a retry with the same body replays the first answer.',
    body: { schemaName: 'GroupCreateBody', schema: GroupCreateBody, wrapped: true, wrapper: 'group' },
    bodyDescription: 'The group, bare or wrapped as `{"group": {...}}`',
    response: { schemaName: 'GroupResponse', description: 'Created' },
    success: 201,
    statuses: [201, ...COMMON, ...BODY, 409, 422],
    headers: ['idempotency-key'],
  },
  {
    operationId: 'userUpdateGroup',
    scope: 'user',
    method: 'PATCH',
    path: '/groups/:id',
    upstream: 'command',
    kind: 'update',
    tag: TAG,
    summary: 'Rename or describe a group',
    description: `Only the given fields change; a name another of your groups has is a 409 \`group_name_taken\`. \`If-Match\` with a stale ETag is a 412. ${outOfScope}`,
    pathParams: GROUP_ID,
    body: { schemaName: 'GroupUpdateBody', schema: GroupUpdateBody, wrapped: true, wrapper: 'group' },
    bodyDescription: 'The fields to change, bare or wrapped as `{"group": {...}}`',
    response: { schemaName: 'GroupResponse', description: 'The group' },
    success: 200,
    statuses: [200, ...COMMON, ...BODY, 404, 409, 412, 422],
    headers: ['if-match'],
  },
  {
    operationId: 'userDeleteGroup',
    scope: 'user',
    method: 'DELETE',
    path: '/groups/:id',
    upstream: 'command',
    kind: 'delete',
    tag: TAG,
    summary: 'Delete a group',
    description: `A hard delete: the group and its memberships are gone; the contacts stay. ${outOfScope}`,
    pathParams: GROUP_ID,
    response: null,
    success: 204,
    statuses: [204, ...COMMON, ...BODY, 404, 409, 412],
    headers: ['if-match'],
  },
  {
    operationId: 'userAddGroupContacts',
    scope: 'user',
    method: 'POST',
    path: '/groups/:id/contacts',
    upstream: 'command',
    kind: 'add-members',
    tag: TAG,
    summary: 'Add contacts to a group',
    description: `1–${GROUP_CONTACTS_MAX} contact ids (more is a 413 and writes nothing). Each id gets its own result: \`added\`, \`already_member\`, or \`error\` — \`not_found\` for an id that is not one of your contacts (absent or someone else's, indistinguishable), \`contact_discarded\` for a discarded one. ${outOfScope}`,
    pathParams: GROUP_ID,
    body: { schemaName: 'GroupContactsAddBody', schema: GroupContactsAddBody, wrapped: false },
    response: {
      schemaName: 'GroupMembershipResponse',
      description: 'Per-id results; the request as a whole succeeded',
    },
    success: 200,
    statuses: [200, ...COMMON, ...BODY, 404, 409, 412, 422],
    headers: ['idempotency-key', 'if-match'],
  },
  {
    operationId: 'userRemoveGroupContact',
    scope: 'user',
    method: 'DELETE',
    path: '/groups/:id/contacts/:contact_id',
    upstream: 'command',
    kind: 'remove-member',
    tag: TAG,
    summary: 'Remove a contact from a group',
    description: `The contact leaves the group (it is not changed otherwise); removing a non-member changes nothing. ${outOfScope}`,
    pathParams: { ...GROUP_ID, contact_id: 'The contact id' },
    response: null,
    success: 204,
    statuses: [204, ...COMMON, ...BODY, 404, 409, 412],
    headers: ['if-match'],
  },
];

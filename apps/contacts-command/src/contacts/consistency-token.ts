/**
 * `X-Consistency-Token`: which contact version a write produced. Opaque to clients; the query
 * service decodes it and waits until its read model has applied that version.
 */
export function encodeConsistencyToken(contactId: number, version: number): string {
  return Buffer.from(`c1:${contactId}:${version}`, 'utf8').toString('base64url');
}

/** The same for a group write (`base64url("g1:<groupId>:<version>")`): reads wait for the groups read model. */
export function encodeGroupConsistencyToken(groupId: number, version: number): string {
  return Buffer.from(`g1:${groupId}:${version}`, 'utf8').toString('base64url');
}

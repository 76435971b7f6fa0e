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

/** The same for a note (`n1:`) and a task (`t1:`) write: reads wait for the notes or tasks read model. */
export function encodeNoteConsistencyToken(noteId: number, version: number): string {
  return Buffer.from(`n1:${noteId}:${version}`, 'utf8').toString('base64url');
}

export function encodeTaskConsistencyToken(taskId: number, version: number): string {
  return Buffer.from(`t1:${taskId}:${version}`, 'utf8').toString('base64url');
}

/** The same for a SmartLink write (`base64url("s1:<smartlinkId>:<version>")`): reads wait for the SmartLinks read model. */
export function encodeSmartlinkConsistencyToken(smartlinkId: number, version: number): string {
  return Buffer.from(`s1:${smartlinkId}:${version}`, 'utf8').toString('base64url');
}

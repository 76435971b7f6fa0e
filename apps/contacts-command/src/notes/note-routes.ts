import { Router, type Request } from 'express';
import { principalOf, requireScope, type TokenVerifier } from '@reps/auth';
import { NoteCreateBody, NoteUpdateBody, parseBody, unwrapNoteBody } from '@reps/contracts';
import { toNoteResource, type Actor } from '@reps/contacts-domain';
import { requestIdOf } from '@reps/http';
import { encodeNoteConsistencyToken } from '../contacts/consistency-token';
import {
  API_VERSION,
  createIdempotentRunner,
  createWithReservedId,
  idParam,
  parseOr422,
  send,
  versionContext,
  versionedResponse,
} from '../http/command-http';
import type { IdAllocator } from '../ids/id-allocator';
import type { IdempotencyStore, StoredResponse } from '../idempotency/idempotency-store';
import type { NoteCommandHandler, NoteOutcome } from './note-command-handler';

export interface NoteRoutesDeps {
  handler: NoteCommandHandler;
  ids: IdAllocator;
  idempotency: IdempotencyStore;
  verifier: TokenVerifier;
  clock: () => Date;
}

const noteIdParam = (req: Request) => idParam(req, 'id', 'Note not found');
const actorOf = (req: Request): Actor => principalOf(req);

function noteResponse(status: number, outcome: NoteOutcome, location?: string): StoredResponse {
  const consistencyToken = encodeNoteConsistencyToken(outcome.state.id, outcome.version);
  return versionedResponse(status, { note: toNoteResource(outcome.state) }, {
    version: outcome.version,
    consistencyToken,
    ...(location ? { location } : {}),
  });
}

/** Notes in both scopes (DESIGN §6): create, update, delete (soft) and restore. */
export function createNoteRoutes(deps: NoteRoutesDeps): Router {
  const router = Router();
  const idempotent = createIdempotentRunner(deps.idempotency, deps.clock);

  for (const scope of ['user', 'company'] as const) {
    const base = `/api/${scope}/crm/${API_VERSION}/notes`;
    router.use(base, requireScope(deps.verifier, scope));
    const context = (req: Request) => ({ correlationId: requestIdOf(req), ...versionContext(req) });

    router.post(base, async (req, res) => {
      const actor = actorOf(req);
      const body = parseOr422(parseBody(NoteCreateBody, unwrapNoteBody(req.body)));
      await idempotent(
        req,
        res,
        createWithReservedId(
          () => deps.ids.next(),
          (noteId) => deps.handler.create(noteId, actor, body, context(req)),
          (noteId) => deps.handler.load(noteId, actor),
          (outcome, noteId) => noteResponse(201, outcome, `${base}/${noteId}`),
        ),
      );
    });

    router.patch(`${base}/:id`, async (req, res) => {
      const actor = actorOf(req);
      const noteId = noteIdParam(req);
      const ctx = context(req);
      const body = parseOr422(parseBody(NoteUpdateBody, unwrapNoteBody(req.body)));
      send(res, noteResponse(200, await deps.handler.update(noteId, actor, body, ctx)));
    });

    router.delete(`${base}/:id`, async (req, res) => {
      const actor = actorOf(req);
      const noteId = noteIdParam(req);
      send(res, noteResponse(200, await deps.handler.discard(noteId, actor, context(req))));
    });

    router.post(`${base}/:id/restore`, async (req, res) => {
      const actor = actorOf(req);
      const noteId = noteIdParam(req);
      const ctx = context(req);
      await idempotent(req, res, async () =>
        noteResponse(200, await deps.handler.restore(noteId, actor, ctx)),
      );
    });
  }
  return router;
}

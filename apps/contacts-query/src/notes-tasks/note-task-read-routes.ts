import { Router, type Request, type Response } from 'express';
import { principalOf, requireScope, type Principal, type TokenVerifier } from '@reps/auth';
import { parseContactCardQuery, parseNoteListQuery, parseTaskListQuery } from '@reps/contracts';
import {
  contactCard,
  getNote,
  getTask,
  listNotes,
  listTasks,
  type ReadModelCollections,
  type Reader,
} from '@reps/contacts-read-model';
import { NotFoundError } from '@reps/errors';
import { requestIdOf } from '@reps/http';
import { API_VERSION, consistentReadModels, pathId, rejectAnyQuery } from '../http/read-http';

export interface NoteTaskReadRoutesDeps {
  verifier: TokenVerifier;
  readModels: () => Promise<ReadModelCollections>;
  consistencyWaitMs: number;
}

const readerOf = (principal: Principal): Reader => principal;

/** Notes, tasks and the contact card, both scopes (DESIGN §6), read from the notes and tasks read models. */
export function createNoteTaskReadRoutes(deps: NoteTaskReadRoutesDeps): Router {
  const router = Router();

  const consistentModels = (req: Request, res: Response, principal: Principal) =>
    consistentReadModels(req, res, principal, deps);

  const listMeta = (req: Request, limit: number, next: string | null) => ({
    pagination: { limit, next_cursor: next },
    request_id: requestIdOf(req),
  });

  for (const scope of ['user', 'company'] as const) {
    const base = `/api/${scope}/crm/${API_VERSION}`;
    router.use(`${base}/notes`, requireScope(deps.verifier, scope));
    router.use(`${base}/tasks`, requireScope(deps.verifier, scope));
    router.use(`${base}/contacts/:id/card`, requireScope(deps.verifier, scope));

    router.get(`${base}/notes`, async (req, res) => {
      const principal = principalOf(req);
      const query = parseNoteListQuery(req.query);
      const models = await consistentModels(req, res, principal);
      const page = await listNotes(models, readerOf(principal), query);
      res.json({ notes: page.items, meta: listMeta(req, query.limit, page.next_cursor) });
    });

    router.get(`${base}/notes/:id`, async (req, res) => {
      const principal = principalOf(req);
      rejectAnyQuery(req.query);
      const noteId = pathId(req, 'Note not found');
      const found = await getNote(await consistentModels(req, res, principal), readerOf(principal), noteId);
      if (!found) throw new NotFoundError('Note not found');
      res.setHeader('ETag', `W/"${found.version}"`);
      res.json({ note: found.note });
    });

    router.get(`${base}/tasks`, async (req, res) => {
      const principal = principalOf(req);
      const query = parseTaskListQuery(req.query);
      const models = await consistentModels(req, res, principal);
      const page = await listTasks(models, readerOf(principal), query);
      res.json({ tasks: page.items, meta: listMeta(req, query.limit, page.next_cursor) });
    });

    router.get(`${base}/tasks/:id`, async (req, res) => {
      const principal = principalOf(req);
      rejectAnyQuery(req.query);
      const taskId = pathId(req, 'Task not found');
      const found = await getTask(await consistentModels(req, res, principal), readerOf(principal), taskId);
      if (!found) throw new NotFoundError('Task not found');
      res.setHeader('ETag', `W/"${found.version}"`);
      res.json({ task: found.task });
    });

    router.get(`${base}/contacts/:id/card`, async (req, res) => {
      const principal = principalOf(req);
      parseContactCardQuery(req.query);
      const contactId = pathId(req, 'Contact not found');
      const found = await contactCard(
        await consistentModels(req, res, principal),
        readerOf(principal),
        contactId,
      );
      if (!found) throw new NotFoundError('Contact not found');
      res.setHeader('ETag', `W/"${found.version}"`);
      res.json({ card: found.card, meta: { request_id: requestIdOf(req) } });
    });
  }
  return router;
}

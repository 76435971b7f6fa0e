import { timingSafeEqual } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import type { Express, RequestHandler } from 'express';
import { requestIdOf } from '@reps/http';

export const DASHBOARD_PATH = '/admin/queues';

function same(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * `Authorization: Bearer <ADMIN_TOKEN>` for scripts, or HTTP Basic with the token as password
 * (any user name) so a browser can open the dashboard. No token configured (development only;
 * production refuses to start without one) means no dashboard: 401 for everyone.
 */
export function adminGuard(token: string | undefined): RequestHandler {
  return (req, res, next) => {
    const header = req.headers.authorization ?? '';
    const bearer = /^Bearer (.+)$/.exec(header)?.[1];
    const basic = /^Basic (.+)$/.exec(header)?.[1];
    const password = basic
      ? Buffer.from(basic, 'base64').toString('utf8').split(':').slice(1).join(':')
      : undefined;
    const offered = bearer ?? password;
    if (token && offered !== undefined && same(offered, token)) {
      next();
      return;
    }
    res
      .status(401)
      .setHeader('WWW-Authenticate', 'Basic realm="notifier queues", charset="UTF-8"')
      .json({
        error: { code: 'unauthorized', message: 'The queue dashboard needs the ADMIN_TOKEN' },
        meta: { request_id: requestIdOf(req) },
      });
  };
}

/** Bull Board over the notifier's queues: inspect, retry or clean jobs. */
export function mountQueueDashboard(app: Express, queues: Queue[], token: string | undefined): void {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(DASHBOARD_PATH);
  createBullBoard({ queues: queues.map((queue) => new BullMQAdapter(queue)), serverAdapter });
  app.use(DASHBOARD_PATH, adminGuard(token), serverAdapter.getRouter() as RequestHandler);
}

import type { RequestHandler } from 'express';
import type { Logger } from '@reps/observability';
import { assignRequestId } from './request-id';

/** Paths whose segment after the prefix is a capability (a SmartLink token): never written to a log. */
const CAPABILITY_PATH = /^(\/l\/|\/api\/public\/smartlinks\/)[^/?#]*/;

/** A URL as logs may show it: a capability in the path is replaced by `[token]`. */
export function loggableUrl(url: string | undefined): string | undefined {
  return url?.replace(CAPABILITY_PATH, '$1[token]');
}

/**
 * Gives each request its id (`X-Request-Id`, echoed) and writes one access line when its answer is
 * done: `request completed`, `request aborted` (the client left first) or, for a 5xx,
 * `request errored` at level error — the lines pino-http wrote, built straight from the request.
 * pino-http also made a child logger per request (serializing and redacting the request into
 * it) that nothing here uses: a tenth of a small request's CPU in the shared HTTP layer.
 */
export function accessLog(logger: Logger, quiet: (url: string) => boolean): RequestHandler {
  return (req, res, next) => {
    (req as { id?: string }).id = assignRequestId(req, res);
    if (quiet(req.url)) {
      next();
      return;
    }
    const startedAt = Date.now();
    // Read now: routers mounted on a path rewrite req.url while they handle the request.
    const url = req.url;
    // 'close' comes after 'finish' for every answer, and alone for one the client abandoned.
    res.once('close', () => {
      const line = {
        req: {
          id: (req as { id?: string }).id,
          method: req.method,
          url: loggableUrl(url),
          remoteAddress: req.socket.remoteAddress,
        },
        res: { statusCode: res.statusCode },
        responseTime: Date.now() - startedAt,
      };
      if (res.statusCode >= 500)
        logger.error(
          { ...line, err: new Error(`failed with status code ${res.statusCode}`) },
          'request errored',
        );
      else logger.info(line, res.writableFinished ? 'request completed' : 'request aborted');
    });
    next();
  };
}

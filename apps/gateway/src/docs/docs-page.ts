import { dirname, join } from 'node:path';
import { Router } from 'express';
import helmet from 'helmet';

// Swagger UI's prebuilt browser bundle, served from our own origin: the page works offline and
// loads nothing from a CDN. Resolved via package.json because requiring the package itself
// would evaluate the 1.7 MB browser bundle in Node.
const SWAGGER_UI_DIR = dirname(require.resolve('swagger-ui-dist/package.json'));
const ASSETS = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png']);

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Reps CRM API</title>
    <link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png" />
    <link rel="stylesheet" href="/docs/assets/swagger-ui.css" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/assets/swagger-ui-bundle.js"></script>
    <script src="/docs/init.js"></script>
  </body>
</html>
`;

// An external script, not an inline one, so the page's CSP can forbid inline scripts.
// validatorUrl null: Swagger UI would otherwise send the document to an online validator.
const INIT = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  docExpansion: 'list',
  defaultModelsExpandDepth: 0,
  persistAuthorization: false,
});
`;

/** `/docs`: the OpenAPI document rendered by Swagger UI, with a CSP that allows only our own assets. */
export function createDocsRoutes(): Router {
  const router = Router();
  router.use(
    '/docs',
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          'script-src': ["'self'"],
          // Swagger UI sets element styles at run time.
          'style-src': ["'self'", "'unsafe-inline'"],
          'img-src': ["'self'", 'data:'],
          'connect-src': ["'self'"],
          'font-src': ["'self'", 'data:'],
          // The gateway may be reached over plain HTTP (local stacks); upgrading would break it.
          'upgrade-insecure-requests': null,
        },
      },
    }),
  );
  router.get('/docs', (_req, res) => {
    res.type('html').setHeader('Cache-Control', 'no-cache').send(PAGE);
  });
  router.get('/docs/init.js', (_req, res) => {
    res.type('application/javascript').setHeader('Cache-Control', 'no-cache').send(INIT);
  });
  router.get('/docs/assets/:file', (req, res, next) => {
    const file = String(req.params['file']);
    if (!ASSETS.has(file)) {
      next();
      return;
    }
    res.sendFile(join(SWAGGER_UI_DIR, file), { maxAge: '1d' });
  });
  return router;
}

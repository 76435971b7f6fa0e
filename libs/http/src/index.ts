export { accessLog, loggableUrl } from './access-log';
export { createHttpApp, type HttpAppOptions } from './create-http-app';
export { createErrorMiddleware, errorEnvelope, notFoundHandler, type ErrorEnvelope } from './error-middleware';
export { runReadinessChecks, type ReadinessCheck, type ReadinessReport } from './readiness';
export { assignRequestId, requestIdOf, REQUEST_ID_HEADER } from './request-id';
export { boundPort, closeServer, createLifecycle, listen, type Lifecycle, type LifecycleOptions } from './lifecycle';
export { startService, type ServiceHandle, type StartServiceOptions, type StartOptions } from './start-service';

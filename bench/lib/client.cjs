// A small keep-alive HTTP client for closed-loop loads whose every request differs (a URL per
// contact, an If-Match per attempt), which autocannon's fixed request list cannot express.
const http = require('node:http');

/** A client with `connections` keep-alive sockets to one origin; `close()` ends them. */
function keepAliveClient(origin, connections) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const base = new URL(origin);
  return {
    /**
     * One request; resolves { status, etag, body (parsed JSON or null), ms } and never rejects: a
     * socket error or a timeout is status 0 with `error`.
     */
    request(method, path, { headers = {}, body, timeoutMs = 30_000 } = {}) {
      const t = performance.now();
      return new Promise((resolve) => {
        const payload = body === undefined ? undefined : Buffer.from(body);
        const req = http.request(
          {
            agent,
            host: base.hostname,
            port: base.port,
            method,
            path,
            headers: payload ? { ...headers, 'content-length': payload.length } : headers,
            timeout: timeoutMs,
          },
          (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => {
              let parsed = null;
              try {
                parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
              } catch {
                // not JSON (or empty): the status is what counts
              }
              resolve({
                status: res.statusCode,
                etag: res.headers.etag ?? null,
                body: parsed,
                ms: performance.now() - t,
              });
            });
            res.on('error', (error) =>
              resolve({ status: 0, error: error.message, ms: performance.now() - t }),
            );
          },
        );
        req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
        req.on('error', (error) => resolve({ status: 0, error: error.message, ms: performance.now() - t }));
        if (payload) req.write(payload);
        req.end();
      });
    },
    close() {
      agent.destroy();
    },
  };
}

module.exports = { keepAliveClient };

/**
 * What every stand-in server shares: listening on 127.0.0.1, reading and recording whole request bodies, closing
 * with open (even held) connections, path-prefix flags, SSE frames and paced writes. Plain JavaScript so the demo
 * can run the stand-ins with node alone; types in server.d.mts.
 */
import http from 'node:http';

/** Collects a request (or HTTP/2 stream) body and hands it over as UTF-8 once it has ended. */
export function readBody(source, onBody) {
  const chunks = [];
  source.on('data', (c) => chunks.push(c));
  source.on('end', () => onBody(Buffer.concat(chunks).toString('utf8')));
}

/** Listens on 127.0.0.1 (`port` 0 for any free port); rejects if the port is taken. */
export function listen(server, port = 0) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Starts an HTTP/1.1 stand-in: every request is recorded with its whole body, then answered by
 * `respond(req, res, body)`.
 */
export async function startServer(respond, options = {}) {
  const requests = [];
  const server = http.createServer((req, res) => {
    readBody(req, (body) => {
      requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body });
      void respond(req, res, body);
    });
  });
  await listen(server, options.port ?? 0);
  const port = server.address().port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise((resolve) => {
        // Held streams never end by themselves; without this, close() would wait for them.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Strips leading flag prefixes (e.g. '/slow') from a path, in any order and combination; returns the flags
 * without their slash and the remaining path.
 */
export function pathFlags(pathname, names) {
  let path = pathname;
  const flags = new Set();
  for (let again = true; again; ) {
    again = false;
    for (const flag of names) {
      if (path.startsWith(`${flag}/`)) {
        flags.add(flag.slice(1));
        path = path.slice(flag.length);
        again = true;
      }
    }
  }
  return { path, flags };
}

/** The request body as JSON, or {} when it is empty or not JSON. */
export function jsonBody(raw) {
  try {
    return raw ? JSON.parse(raw) : {};
  } catch {
    return {};
  }
}

/** One SSE frame: an optional event line and one data line (strings are sent as they are, e.g. [DONE]). */
export function sseFrame(data, event) {
  const payload = typeof data === 'string' ? data : JSON.stringify(data);
  return `${event ? `event: ${event}\n` : ''}data: ${payload}\n\n`;
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Writes the parts in order, `slow` pausing 20 ms after each, and stops once the client is gone. With `hold` the
 * response is not ended: the connection stays open until the client goes away.
 */
export async function writeParts(res, parts, { slow = false, hold = false } = {}) {
  for (const part of parts) {
    if (res.destroyed) return;
    res.write(part);
    if (slow) await sleep(20);
  }
  if (!hold) res.end();
}

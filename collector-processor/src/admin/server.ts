/**
 * The admin endpoint: Prometheus /metrics (spend metrics and the collector's own), /healthz (the process is up)
 * and /readyz (accepting data: started, not draining, queues not full) for load balancers and Kubernetes probes.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../log.js';
import { splitEndpoint } from '../net.js';

export interface AdminServerOptions {
  endpoint: string;
  registry: Registry;
  /** undefined = ready; otherwise why not (shown in the /readyz body). */
  notReadyReason: () => string | undefined;
  log: Logger;
}

export class AdminServer {
  private server: http.Server | undefined;

  constructor(private readonly options: AdminServerOptions) {}

  async start(): Promise<{ host: string; port: number }> {
    const { registry, notReadyReason, log } = this.options;
    const server = http.createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
        return;
      }
      if (path === '/metrics') {
        registry.metrics().then(
          (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
          (err: unknown) => {
            log.error('metrics rendering failed', { error: String(err) });
            res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n');
          },
        );
      } else if (path === '/healthz') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      } else if (path === '/readyz') {
        const reason = notReadyReason();
        if (reason === undefined) res.writeHead(200, { 'content-type': 'text/plain' }).end('ready\n');
        else res.writeHead(503, { 'content-type': 'text/plain' }).end(`not ready: ${reason}\n`);
      } else {
        res
          .writeHead(404, { 'content-type': 'text/plain' })
          .end('not found: try /metrics, /healthz, /readyz\n');
      }
    });
    this.server = server;
    const { host, port } = splitEndpoint(this.options.endpoint);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    return { host: address.address, port: address.port };
  }

  async shutdown(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
  }
}

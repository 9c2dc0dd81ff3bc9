// A loopback HTTP proxy in front of a ClickHouse HTTP endpoint (here: the chDB-backed local
// endpoint of sql/local-endpoint.ts) that injects transport faults on chosen requests: a 5xx
// answer, a connection reset, a slow response. Everything else is forwarded unchanged, so the
// SQL really runs in ClickHouse's engine.
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Fault =
  | { kind: '5xx'; status?: number }
  /** Reset the connection before the request reaches ClickHouse. */
  | { kind: 'reset' }
  /** Let ClickHouse execute the request, then reset the connection instead of answering. */
  | { kind: 'lost-response' }
  | { kind: 'slow'; ms: number };

export interface FaultProxy {
  url: string;
  /** Faults applied to the next requests, in order (one per request). */
  faults: Fault[];
  /** Every request seen: method, path+query, and the fault applied (if any). */
  log: { method: string; path: string; fault?: Fault['kind'] }[];
  close(): Promise<void>;
}

function forward(target: URL, req: IncomingMessage, res: ServerResponse, body: Buffer, loseResponse = false): void {
  const up = request(
    { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
    (upRes) => {
      if (loseResponse) {
        upRes.resume();
        upRes.on('end', () => req.socket.resetAndDestroy());
        return;
      }
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    },
  );
  up.on('error', () => res.destroy());
  up.end(body);
}

export async function startFaultProxy(targetUrl: string): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  const faults: Fault[] = [];
  const log: FaultProxy['log'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const fault = req.url?.startsWith('/ping') ? undefined : faults.shift();
      log.push({ method: req.method ?? '', path: req.url ?? '', ...(fault ? { fault: fault.kind } : {}) });
      if (!fault) return forward(target, req, res, body);
      if (fault.kind === '5xx') {
        res.writeHead(fault.status ?? 503, { 'Content-Type': 'text/plain' }).end(`${fault.status ?? 503} Service Unavailable (injected)\n`);
      } else if (fault.kind === 'reset') {
        req.socket.resetAndDestroy();
      } else if (fault.kind === 'lost-response') {
        forward(target, req, res, body, true);
      } else {
        setTimeout(() => forward(target, req, res, body), fault.ms);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    faults,
    log,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

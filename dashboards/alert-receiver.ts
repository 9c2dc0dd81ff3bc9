// A small local webhook receiver for Grafana's alert notifications (`faultline alerts
// receive`): compose points the contact points at it, so the flow rule -> policy -> contact
// point -> notification is visible end to end without an external service. It prints one line
// per notification. Body: Grafana's webhook JSON (Grafana docs "Configure the webhook notifier
// for Alerting": receiver, status, alerts[] with labels/annotations/values, groupLabels,
// commonLabels, groupKey, …; Alertmanager-compatible, version "1").
import { createServer, type Server } from 'node:http';

const MAX_BODY = 1 << 20;

interface GrafanaAlert {
  status?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  values?: Record<string, number>;
}
interface GrafanaNotification {
  receiver?: string;
  status?: string;
  alerts?: GrafanaAlert[];
  groupLabels?: Record<string, string>;
}

const kv = (o: Record<string, string> | undefined) =>
  Object.entries(o ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');

/** One line for one notification: who got it, firing/resolved, the group, each alert's dimension and value. */
function formatNotification(n: GrafanaNotification, at = new Date()): string {
  const alerts = (n.alerts ?? []).map((a) => {
    const dim = a.labels?.group_by;
    const who = dim && a.labels?.[dim] !== undefined ? `${dim}=${a.labels[dim]}` : kv(a.labels);
    const value = a.values?.B ?? a.values?.A;
    return `${a.status ?? '?'} ${who}${value !== undefined ? ` value ${value}` : ''}`;
  });
  return (
    `${at.toISOString()} ${n.receiver ?? '?'} ${n.status ?? '?'} [${kv(n.groupLabels)}] ${alerts.length} alert(s): ` +
    `${alerts.join('; ')}`
  );
}

export interface AlertReceiver {
  port: number;
  close(): Promise<void>;
}

/** Listen on host:port (0: any free port); `write` gets one line per notification, `warn` the rejects. */
export function startAlertReceiver(o: {
  port: number;
  host?: string;
  write: (line: string) => void;
  warn: (line: string) => void;
}): Promise<AlertReceiver> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_BODY) {
        o.warn(`alert receiver: rejected a ${size}-byte body (limit ${MAX_BODY})`);
        res.writeHead(413).end();
        return;
      }
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        o.warn(`alert receiver: rejected a body that is not JSON (${size} bytes)`);
        res.writeHead(400).end();
        return;
      }
      if (typeof body !== 'object' || body === null || !Array.isArray((body as GrafanaNotification).alerts)) {
        o.warn('alert receiver: rejected JSON without an alerts array (not a Grafana notification)');
        res.writeHead(400).end();
        return;
      }
      o.write(formatNotification(body as GrafanaNotification));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host ?? '0.0.0.0', () => {
      const addr = server.address();
      resolve({
        port: typeof addr === 'object' && addr ? addr.port : o.port,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}

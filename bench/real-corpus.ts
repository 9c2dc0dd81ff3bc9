// The new mixed corpus (docs/real-inputs.md): the old mix of bench/transform.ts with three records
// in ten as shippers and libraries write them: gateway lines in Docker/Fluent Bit envelopes,
// client text in CRI lines, client JSON from pino, zap, logback, Python logging and ECS layouts,
// and one record in a hundred an OTLP/JSON message of five log records.
import { corpusRecord } from './transform.ts';

export function realCorpusRecord(i: number): { source: 'gateway' | 'client'; record: string } {
  const base = corpusRecord(i);
  const ts = new Date(Date.UTC(2026, 10, 21, 10) + i * 37).toISOString();
  const rid = `req_${((i * 2654435761) % 2 ** 32).toString(36)}`;
  if (i % 100 === 99) return { source: 'client', record: otlp(i, ts, rid) };
  switch (i % 10) {
    case 7:
      return base.source === 'gateway'
        ? { source: 'gateway', record: JSON.stringify({ log: `${base.record}\n`, stream: 'stdout', time: ts.replace('Z', '123456Z') }) }
        : { source: 'client', record: `${ts} stdout F ${base.record}` };
    case 8:
      return { source: 'client', record: `${ts.replace('Z', '456789Z')} stderr F ${corpusRecord(i + 5).record}` };
    case 9:
      return { source: 'client', record: library(i, ts, rid) };
    default:
      return base;
  }
}

function library(i: number, ts: string, rid: string): string {
  const ms = Date.parse(ts);
  switch (i % 5) {
    case 0:
      return JSON.stringify({
        level: 50,
        time: ms,
        pid: 7,
        hostname: 'shop-1',
        reqId: rid,
        err: { type: 'Error', message: 'Daily channel quota exhausted', status: 429, code: 'QUOTA_EXCEEDED' },
        msg: 'create order failed',
      });
    case 1:
      return JSON.stringify({
        level: 'error',
        ts: ms / 1000,
        caller: 'client/order.go:88',
        msg: 'create order failed',
        status: 502,
        request_id: rid,
        error: 'CHANNEL_UPSTREAM_ERROR: upstream channel failed (taobao 7: App Call Limited)',
      });
    case 2:
      return JSON.stringify({
        '@timestamp': ts,
        '@version': '1',
        message: 'create order failed',
        logger_name: 'com.shop.OrderClient',
        thread_name: 'main',
        level: 'WARN',
        level_value: 30000,
        'error.code': 'QUOTA_EXCEEDED',
        'http.status': '429',
        request_id: rid,
      });
    case 3:
      return JSON.stringify({
        asctime: ts.replace('T', ' ').replace('.', ',').replace('Z', ''),
        name: 'shop.client',
        levelname: 'ERROR',
        message: 'upstream timeout',
        request_id: rid,
      });
    default:
      return JSON.stringify({
        '@timestamp': ts,
        'log.level': 'info',
        message: 'GET /v1/products 200',
        'ecs.version': '1.6.0',
        http: { request: { method: 'GET', id: rid }, response: { status_code: 200 } },
        url: { path: '/v1/products' },
        event: { duration: 41_000_000 },
      });
  }
}

function otlp(i: number, ts: string, rid: string): string {
  const ns = `${Date.parse(ts)}000000`;
  const logRecords = Array.from({ length: 5 }, (_, k) => ({
    timeUnixNano: ns,
    severityNumber: k === 0 ? 17 : 9,
    severityText: k === 0 ? 'ERROR' : 'INFO',
    traceId: '5b8efff798038103d269b633813fc60c',
    body: { stringValue: k === 0 ? 'create order failed' : `${ts} INFO GET /v1/products status=200 request_id=${rid}_${k}` },
    attributes:
      k === 0
        ? [
            { key: 'http.response.status_code', value: { intValue: '429' } },
            { key: 'error.code', value: { stringValue: 'QUOTA_EXCEEDED' } },
          ]
        : [],
  }));
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: `shop-${i % 3}` } }] },
        scopeLogs: [{ scope: { name: 'shop' }, logRecords }],
      },
    ],
  });
}

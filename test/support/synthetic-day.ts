// A known, deterministic day of traffic (2026-11-21 UTC) for proving dashboards and alerts:
// steady background on three channels plus one incident of each kind the alerts watch.
// Rows are built directly as EventRow / RejectRow / ingest-ledger objects (no normalizer),
// so the expected panel numbers can be computed from these arrays independently of SQL.
import type { EventRow, RejectRow, Store } from '../../sql/store.ts';
import type { Category, FailedOffer, LimitKind, Outcome, Source } from '../../transform/event.ts';
import type { LedgerRow } from '../../sql/ledger.ts';
import { insertRows } from './stores.ts';

export const DAY_START = Date.UTC(2026, 10, 21);
export const MINUTE = 60_000;
const CHANNELS = ['1688', 'taobao', 'pdd'] as const;

/** Incident windows in minutes of the day, [from, to). */
export const INCIDENTS = {
  /** 07:00–07:14 Taobao outage: 30 remote timeouts (900–902) a minute. */
  vendorOutage: { vendor: 'taobao', from: 420, to: 435, perMinute: 30 },
  /** 10:00–10:09 error spike on 1688: 20 auth errors a minute, seen by gateway and client. */
  errorSpike: { channel: '1688', from: 600, to: 610, perMinute: 20 },
  /** 12:00–12:09 internal errors on pdd: 15 a minute. */
  internalSpike: { channel: 'pdd', from: 720, to: 730, perMinute: 15 },
  /** From 16:00 Taobao's daily quota is exhausted: 8 quota errors (Taobao code 7) a minute. */
  quotaExhaustion: { channel: 'taobao', from: 960, to: 1440, perMinute: 8 },
  /** 20:00–20:09 rejects on gateway-logs: 20 invalid JSON a minute. */
  rejectsBurst: { topic: 'gateway-logs', from: 1200, to: 1210, perMinute: 20 },
  /** 22:00–22:29 no ingest batch written for gateway-logs. */
  ingestStall: { topic: 'gateway-logs', from: 1320, to: 1350 },
} as const;

/** One `ingest_batches` row as the synthetic day writes it: the ledger's row (sql/ledger.ts) and its time. */
interface IngestBatchRow extends LedgerRow {
  batch_time: string;
}

export interface SyntheticDay {
  events: EventRow[];
  rejects: RejectRow[];
  batches: IngestBatchRow[];
}

const iso = (ms: number) => new Date(ms).toISOString();

interface Spec {
  ms: number;
  source?: Source;
  request_id: string;
  channel: string;
  outcome?: Outcome;
  code?: string;
  category?: Category;
  http_status?: number;
  limit_kind?: LimitKind;
  upstream?: { vendor: string; code: string; sub: string; message: string };
  failed_offers?: FailedOffer[];
  app_id?: string;
  catalog_drift?: boolean;
}

/** Build the day. Pure: the same arrays every call. */
export function syntheticDay(): SyntheticDay {
  const events: EventRow[] = [];
  const offsets = new Map<string, number>();
  const next = (topic: string, partition: number) => {
    const key = `${topic}/${partition}`;
    const o = offsets.get(key) ?? 0;
    offsets.set(key, o + 1);
    return String(o);
  };
  const add = (s: Spec) => {
    const source = s.source ?? 'gateway';
    const topic = source === 'gateway' ? 'gateway-logs' : 'client-logs';
    const partition = source === 'gateway' ? events.length % 4 : 0;
    events.push({
      event_time: iso(s.ms),
      source,
      request_id: s.request_id,
      http_status: s.http_status ?? 200,
      outcome: s.outcome ?? 'error',
      code: s.code ?? '',
      category: s.category ?? '',
      limit_kind: s.limit_kind ?? '',
      channel: s.channel,
      upstream_vendor: s.upstream?.vendor ?? '',
      upstream_code: s.upstream?.code ?? '',
      upstream_sub_code: s.upstream?.sub ?? '',
      upstream_message: s.upstream?.message ?? '',
      message: s.code ? `${s.code} on ${s.channel}` : '',
      failed_offers: s.failed_offers ?? [],
      route: '/v1/procurement/orders',
      method: 'POST',
      latency_ms: 120,
      attempt: 1,
      app_id: s.app_id ?? 'shop-a',
      catalog_drift: s.catalog_drift ?? false,
      raw: JSON.stringify({ request_id: s.request_id, code: s.code ?? '' }),
      topic,
      partition,
      offset: next(topic, partition),
    });
  };
  const ok = { outcome: 'ok' as const, http_status: 200 };
  const inc = INCIDENTS;

  for (let m = 0; m < 1440; m++) {
    const t0 = DAY_START + m * MINUTE;
    // Steady background: 10 successful requests per channel, 3 of 1688's also logged by a client.
    for (const c of CHANNELS) {
      for (let k = 0; k < 10; k++) {
        const rid = `req_${c}_${m}_${k}`;
        add({ ms: t0 + k * 6000, request_id: rid, channel: c, app_id: k % 2 ? 'shop-b' : 'shop-a', ...ok });
        if (c === '1688' && k < 3) {
          // Once an hour the client times out on a request the gateway served fine.
          const disagree = m % 60 === 0 && k === 0;
          add({
            ms: t0 + k * 6000 + 250,
            source: 'client',
            request_id: rid,
            channel: c,
            ...(disagree ? { code: 'HTTP_504', http_status: 504, category: 'INTERNAL_ERROR' } : ok),
          });
        }
      }
    }
    add({
      ms: t0 + 30_500,
      request_id: `req_1688_${m}_v`,
      channel: '1688',
      code: 'INVALID_PARAMETER',
      http_status: 400,
      category: 'VALIDATION_ERROR',
    });
    if (m % 10 === 3) {
      add({
        ms: t0 + 31_000,
        request_id: `req_taobao_${m}_u`,
        channel: 'taobao',
        code: 'CHANNEL_UPSTREAM_ERROR',
        http_status: 502,
        category: 'CHANNEL_ERROR',
        upstream: { vendor: 'taobao', code: '15', sub: 'isp.unknown-error', message: 'Remote service error' },
      });
    }
    if (m % 2 === 1)
      add({
        ms: t0 + 32_000,
        request_id: `req_pdd_${m}_r`,
        channel: 'pdd',
        code: 'RATE_LIMIT_EXCEEDED',
        http_status: 429,
        category: 'RATE_LIMIT_ERROR',
        limit_kind: 'rate',
        app_id: 'shop-b',
      });
    if (m % 60 === 30)
      add({
        ms: t0 + 33_000,
        request_id: `req_pdd_${m}_q`,
        channel: 'pdd',
        code: 'QUOTA_EXCEEDED',
        http_status: 429,
        category: 'RATE_LIMIT_ERROR',
        limit_kind: 'quota',
        app_id: 'shop-c',
      });
    if (m % 20 === 7)
      add({
        ms: t0 + 34_000,
        request_id: `req_taobao_${m}_i`,
        channel: 'taobao',
        code: 'INTERNAL_ERROR',
        http_status: 500,
        category: 'INTERNAL_ERROR',
      });
    if (m % 15 === 5) {
      add({
        ms: t0 + 35_000,
        request_id: `req_1688_${m}_b`,
        channel: '1688',
        outcome: 'business_failure',
        code: 'ORDER_CREATE_FAILED',
        http_status: 200,
        category: 'BUSINESS_ERROR',
        failed_offers: [
          { offer_id: `o${m}1`, spec_id: 's1', error_code: 'STOCK_NOT_ENOUGH', error_message: 'stock not enough' },
          { offer_id: `o${m}2`, spec_id: 's2', error_code: 'OFFER_OFFLINE', error_message: 'offer offline' },
        ],
      });
    }
    if (m % 30 === 10) {
      add({
        ms: t0 + 36_000,
        request_id: `req_1688_${m}_p`,
        channel: '1688',
        outcome: 'partial_success',
        code: 'PARTIAL_SUCCESS',
        http_status: 200,
        category: 'BUSINESS_ERROR',
        failed_offers: [{ offer_id: `o${m}3`, spec_id: 's3', error_code: 'PRICE_CHANGED', error_message: 'price changed' }],
      });
    }
    if (m >= 100 && m < 103)
      add({
        ms: t0 + 37_000,
        request_id: `req_pdd_${m}_d`,
        channel: 'pdd',
        code: 'GATEWAY_NEW_CODE',
        http_status: 503,
        category: 'INTERNAL_ERROR',
        catalog_drift: true,
      });

    // Incidents.
    if (m >= inc.vendorOutage.from && m < inc.vendorOutage.to) {
      for (let i = 0; i < inc.vendorOutage.perMinute; i++) {
        add({
          ms: t0 + 40_000 + i * 100,
          request_id: `req_outage_${m}_${i}`,
          channel: 'taobao',
          code: 'CHANNEL_UPSTREAM_ERROR',
          http_status: 504,
          category: 'CHANNEL_ERROR',
          upstream: { vendor: 'taobao', code: String(900 + (i % 3)), sub: 'isp.remote-service-timeout', message: 'Remote service timeout' },
        });
      }
    }
    if (m >= inc.errorSpike.from && m < inc.errorSpike.to) {
      for (let i = 0; i < inc.errorSpike.perMinute; i++) {
        const rid = `req_spike_${m}_${i}`;
        add({
          ms: t0 + 41_000 + i * 100,
          request_id: rid,
          channel: '1688',
          code: 'UNAUTHORIZED',
          http_status: 401,
          category: 'AUTH_ERROR',
        });
        add({
          ms: t0 + 41_000 + i * 100 + 250,
          source: 'client',
          request_id: rid,
          channel: '1688',
          code: 'HTTP_401',
          http_status: 401,
          category: 'AUTH_ERROR',
        });
      }
    }
    if (m >= inc.internalSpike.from && m < inc.internalSpike.to) {
      for (let i = 0; i < inc.internalSpike.perMinute; i++) {
        add({
          ms: t0 + 42_000 + i * 100,
          request_id: `req_internal_${m}_${i}`,
          channel: 'pdd',
          code: 'INTERNAL_ERROR',
          http_status: 500,
          category: 'INTERNAL_ERROR',
        });
      }
    }
    if (m >= inc.quotaExhaustion.from) {
      for (let i = 0; i < inc.quotaExhaustion.perMinute; i++) {
        add({
          ms: t0 + 43_000 + i * 100,
          request_id: `req_quota_${m}_${i}`,
          channel: 'taobao',
          code: 'QUOTA_EXCEEDED',
          http_status: 429,
          category: 'RATE_LIMIT_ERROR',
          limit_kind: 'quota',
          app_id: 'shop-a',
          upstream: { vendor: 'taobao', code: '7', sub: 'accesscontrol.limited-by-app-access-count', message: 'App Call Limited' },
        });
      }
    }
  }

  const rejects: RejectRow[] = [];
  const reject = (ms: number, topic: string, reason: RejectRow['reason']) =>
    rejects.push({
      transport_time: iso(ms),
      source: topic === 'gateway-logs' ? 'gateway' : 'client',
      topic,
      partition: 0,
      offset: next(`${topic}#rejects`, 0),
      reason,
      detail: reason,
      head: '{"broken',
    });
  for (let m = 0; m < 1440; m++) {
    if (m % 10 === 0) reject(DAY_START + m * MINUTE + 5000, 'client-logs', 'unrecognised_text');
    if (m >= INCIDENTS.rejectsBurst.from && m < INCIDENTS.rejectsBurst.to) {
      for (let i = 0; i < INCIDENTS.rejectsBurst.perMinute; i++)
        reject(DAY_START + m * MINUTE + 10_000 + i * 100, 'gateway-logs', 'invalid_json');
    }
  }

  // The sink's ledger: a batch every 10 s per partition (gateway-logs 0–1, client-logs 0),
  // none for gateway-logs during the stall.
  const batches: IngestBatchRow[] = [];
  const ledger = new Map<string, number>();
  for (let s = 0; s < 8640; s++) {
    const ms = DAY_START + s * 10_000;
    const minute = Math.floor(s / 6);
    for (const [topic, partition] of [
      ['gateway-logs', 0],
      ['gateway-logs', 1],
      ['client-logs', 0],
    ] as const) {
      if (topic === INCIDENTS.ingestStall.topic && minute >= INCIDENTS.ingestStall.from && minute < INCIDENTS.ingestStall.to) continue;
      const key = `${topic}/${partition}`;
      const first = ledger.get(key) ?? 0;
      const records = topic === 'gateway-logs' ? 50 : 10;
      ledger.set(key, first + records);
      batches.push({
        batch_time: iso(ms),
        topic,
        partition,
        first_offset: first,
        last_offset: first + records - 1,
        records,
        events: records - 1,
        rejects: 1,
        lag: (s % 3) * 10 + partition,
        consumer: 'faultline-1',
      });
    }
  }
  return { events, rejects, batches };
}

/** Insert the day into a migrated store (events and rejects through the Store API). */
export async function loadSyntheticDay(store: Store, database: string, day = syntheticDay()): Promise<SyntheticDay> {
  const chunk = 20_000;
  for (let i = 0; i < day.events.length; i += chunk) await insertRows(store, 'events', day.events.slice(i, i + chunk));
  await insertRows(store, 'rejects', day.rejects);
  // The Store interface has no ledger insert (the sink writes it with its own batches).
  const lines = day.batches.map((b) => JSON.stringify(b)).join('\n');
  await store.command(
    `INSERT INTO ${database}.ingest_batches SETTINGS date_time_input_format = 'best_effort' FORMAT JSONEachRow\n${lines}`,
  );
  return day;
}

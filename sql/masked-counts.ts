// How much personal data FAULTLINE_PII=mask masked in stored events (docs/secrets.md §5), for the
// demo report: e-mail local parts (`[REDACTED]@domain`), card numbers under the keys the
// generator plants them under (`payment_card`, `card`), and the stored offer ids, none of which
// may have been touched.
import { checkDatabaseName } from './migrate.ts';
import type { Store } from './store.ts';

export interface MaskedCounts {
  emails: number;
  cards: number;
  offers: number;
  offersTouched: number;
}

export async function maskedCounts(store: Pick<Store, 'query'>, db: string): Promise<MaskedCounts> {
  checkDatabaseName(db);
  const rows = await store.query<Record<string, unknown>>(
    `SELECT sum(countSubstrings(raw, '[REDACTED]@')) AS emails,
            sum(countSubstrings(raw, 'card":"[REDACTED]"') + countSubstrings(raw, 'card=[REDACTED]')
              + countSubstrings(raw, 'card="[REDACTED]"')) AS cards,
            sum(length(failed_offers)) AS offers,
            sum(arrayCount(f -> position(tupleElement(f, 'offer_id'), 'REDACTED') > 0, failed_offers)) AS offers_touched
     FROM ${db}.events`,
  );
  const r = rows[0] ?? {};
  return {
    emails: Number(r.emails ?? 0),
    cards: Number(r.cards ?? 0),
    offers: Number(r.offers ?? 0),
    offersTouched: Number(r.offers_touched ?? 0),
  };
}

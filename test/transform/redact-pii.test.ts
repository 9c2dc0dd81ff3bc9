// Personal data, opt-in (docs/secrets.md §5): with FAULTLINE_PII=mask, e-mail local parts and
// payment card numbers (issuer prefix + Luhn) are masked; ids and numbers under id keys are not,
// nor anything under the default `keep`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalize } from '../../transform/normalize.ts';
import { redactOptions, redactText } from '../../transform/redact.ts';
import { maskPii } from '../../transform/redact-pii.ts';

const mask = redactOptions(undefined, 'mask');

describe('FAULTLINE_PII=mask (§5)', () => {
  it('masks e-mail local parts, keeping the domain', () => {
    assert.equal(maskPii('buyer ops.lead+shop@example.com refused'), 'buyer [REDACTED]@example.com refused');
    assert.equal(maskPii('to a@b.co and x_y@mail.example.org'), 'to [REDACTED]@b.co and [REDACTED]@mail.example.org');
    // Not addresses: no dot in the domain, a version pin, a user in a URL without a domain.
    for (const s of ['node@20', 'pkg@1.2.3', 'ssh git@host', '@mention only']) assert.equal(maskPii(s), s);
  });
  it('masks card numbers with an issuer prefix and a valid Luhn digit, with spaces or dashes', () => {
    // Test numbers published by the card networks (Visa, Mastercard, Amex, Discover, JCB, UnionPay).
    for (const n of [
      '4111111111111111',
      '4111 1111 1111 1111',
      '5555-5555-5555-4444',
      '378282246310005',
      '6011111111111117',
      '3530111333300000',
      '6200000000000005',
    ]) {
      assert.equal(maskPii(`paid with ${n} ok`), 'paid with [REDACTED] ok', n);
    }
    // Luhn fails, unknown issuer, too short or long, part of a longer run or a word.
    for (const s of [
      '4111111111111112',
      '1234567812345670',
      '411111111111',
      '41111111111111111111',
      'ord4111111111111111',
      '2026112110000000001',
    ]) {
      assert.equal(maskPii(`n ${s} x`), `n ${s} x`, s);
    }
  });
  it('leaves numbers under id and number keys alone', () => {
    assert.equal(
      redactText('offer_id=4111111111111111 order_no=5555555555554444 card=4111111111111111', mask),
      'offer_id=4111111111111111 order_no=5555555555554444 card=[REDACTED]',
    );
    const rec = JSON.stringify({
      ts: '2026-11-21T10:00:00Z',
      status: 200,
      success: false,
      code: 'ORDER_CREATE_FAILED',
      order_id: '4111111111111111',
      failed_offers: [
        {
          offer_id: '5555555555554444',
          spec_id: 'sku_1',
          error_code: 'E',
          error_message: 'card 4111111111111111 declined for ops@example.com',
        },
      ],
    });
    const r = normalize(rec, { source: 'gateway', transportTimeMs: 0, pii: 'mask' });
    assert.ok(r.ok);
    assert.deepEqual(r.event.failed_offers, [
      {
        offer_id: '5555555555554444',
        spec_id: 'sku_1',
        error_code: 'E',
        error_message: 'card [REDACTED] declined for [REDACTED]@example.com',
      },
    ]);
    assert.ok(r.event.raw.includes('"order_id":"4111111111111111"'), r.event.raw);
  });
  it('keeps everything under the default keep', () => {
    const rec = JSON.stringify({ ts: '2026-11-21T10:00:00Z', status: 402, message: 'card 4111111111111111 of ops@example.com declined' });
    const r = normalize(rec, { source: 'client', transportTimeMs: 0 });
    assert.ok(r.ok);
    assert.equal(r.event.raw, rec);
    const m = normalize(rec, { source: 'client', transportTimeMs: 0, pii: 'mask' });
    assert.ok(m.ok);
    assert.equal(m.event.message, 'card [REDACTED] of [REDACTED]@example.com declined');
  });
});

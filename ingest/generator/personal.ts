// Personal data planted in generated client logs (docs/secrets.md §5): a buyer's e-mail in about
// 1 record in 40 and a payment card number in about 1 in 80, chosen from the request id (not
// from the generator's random stream, so every other generated value stays the same for a
// seed). The card numbers are the networks' published test numbers, valid under Luhn. Offer
// ids (12 digits) and order ids stay as they are: FAULTLINE_PII=mask must not touch them.

const CARDS = ['4111111111111111', '5555 5555 5555 4444', '378282246310005', '6011-1111-1111-1117'];
const NAMES = ['li.wei', 'chen.jing', 'buyer.ops', 'procurement', 'zhang.min'];
const DOMAINS = ['example.com', 'shop.example.cn', 'mail.example.org'];

/** FNV-1a of the id: a stable choice per request. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The personal data a client record of request `id` carries, if any. */
export function personalOf(id: string): { email?: string; card?: string } {
  const h = hash(id);
  const out: { email?: string; card?: string } = {};
  if (h % 40 === 7) out.email = `${NAMES[(h >>> 8) % NAMES.length]}@${DOMAINS[(h >>> 12) % DOMAINS.length]}`;
  if (h % 80 === 13) out.card = CARDS[(h >>> 16) % CARDS.length] as string;
  return out;
}

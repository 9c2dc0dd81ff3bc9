// The well-known token formats of docs/secrets.md §2, by gitleaks' rules
// (cmd/generate/config/rules/{aws,github,gitlab,slack,stripe,gcp,npm,openai}.go: prefixes,
// lengths, allowlists taken from there): each is checked at its start by character runs
// (secret-runs.ts), never by a backtracking regexp; each is fingerprinted (§4).
import { ALNUM, hit, is, runEnd, runLen, TOKEN, UPPER_DIGIT, WORD, type ShapeHit } from './secret-runs.ts';

const GITLAB = ['glpat-', 'gldt-', 'glffct-', 'glft-', 'glimt-', 'glagent-', 'gloas-', 'glptt-', 'glrt-', 'glsoat-', 'glcbt-'];
const OPENAI_PROJECT = ['sk-proj-', 'sk-svcacct-', 'sk-admin-'];
const OPENAI_MARKER = 'T3BlbkFJ';

/** The well-known token formats of §2, each fingerprinted (§4). */
export function tokenAt(s: string, i: number): ShapeHit | undefined {
  const c = s.charCodeAt(i);
  // AWS access key ids: (A3T?|AKIA|ASIA|ABIA|ACCA) + 16 of [A-Z0-9], a whole word; not the documentation examples (…EXAMPLE).
  if (c === 65) {
    const p = s.slice(i, i + 4);
    const aws = p === 'AKIA' || p === 'ASIA' || p === 'ABIA' || p === 'ACCA' || (p.startsWith('A3T') && is(s, i + 3, UPPER_DIGIT));
    if (aws) {
      for (let k = i + 4; k < i + 20; k++) if (!is(s, k, UPPER_DIGIT)) return undefined;
      if (is(s, i + 20, WORD) || s.startsWith('EXAMPLE', i + 13)) return undefined;
      return hit(i, i + 20, true);
    }
    // Google API keys: AIza + 35 of [\w-].
    if (s.startsWith('AIza', i) && runLen(s, i + 4, TOKEN) >= 35) return hit(i, runEnd(s, i + 4, TOKEN), true);
    return undefined;
  }
  if (c === 103) {
    // GitHub: ghp_/gho_/ghu_/ghs_/ghr_ + 36 alphanumerics; github_pat_ + 82 of \w.
    if (s.charCodeAt(i + 1) === 104 && s.charCodeAt(i + 3) === 95 && 'pousr'.includes(s[i + 2] as string)) {
      return runLen(s, i + 4, ALNUM) >= 36 ? hit(i, runEnd(s, i + 4, ALNUM), true) : undefined;
    }
    if (s.startsWith('github_pat_', i)) return runLen(s, i + 11, WORD) >= 82 ? hit(i, runEnd(s, i + 11, WORD), true) : undefined;
    // GitLab: its prefixes + 20 or more of [\w-]; the routable form adds `.` + 9 of [0-9a-z].
    for (const g of GITLAB) {
      if (!s.startsWith(g, i)) continue;
      const from = i + g.length;
      if (runLen(s, from, TOKEN) < 20) return undefined;
      let end = runEnd(s, from, TOKEN);
      if (s.charCodeAt(end) === 46 && runLen(s, end + 1, ALNUM) === 9) end += 10;
      return hit(i, end, true);
    }
    return undefined;
  }
  if (c === 71) return s.startsWith('GR1348941', i) && runLen(s, i + 9, TOKEN) >= 20 ? hit(i, runEnd(s, i + 9, TOKEN), true) : undefined;
  if (c === 120) return slackAt(s, i);
  if (c === 104) return slackHookAt(s, i);
  if (c === 115 || c === 114) {
    // Stripe: sk_/rk_ + live_/test_/prod_ + 10 or more alphanumerics.
    if (s.charCodeAt(i + 1) === 107 && s.charCodeAt(i + 2) === 95) {
      const p = s.slice(i + 3, i + 8);
      if ((p === 'live_' || p === 'test_' || p === 'prod_') && runLen(s, i + 8, ALNUM) >= 10) return hit(i, runEnd(s, i + 8, ALNUM), true);
      return undefined;
    }
    // OpenAI: sk- + 20 + T3BlbkFJ + 20 alphanumerics, or sk-proj-/svcacct-/admin- + 58|74 + T3BlbkFJ + 58|74.
    if (c === 115 && s.startsWith('sk-', i)) {
      let ok = s.startsWith(OPENAI_MARKER, i + 23) && runLen(s, i + 3, ALNUM) >= 20 && runLen(s, i + 31, ALNUM) >= 20;
      for (const p of OPENAI_PROJECT) {
        if (ok || !s.startsWith(p, i)) continue;
        const from = i + p.length;
        ok = (s.startsWith(OPENAI_MARKER, from + 58) || s.startsWith(OPENAI_MARKER, from + 74)) && runLen(s, from, TOKEN) >= 58 + 8 + 58;
      }
      return ok ? hit(i, runEnd(s, i, TOKEN), true) : undefined;
    }
    return undefined;
  }
  // npm: npm_ + 36 alphanumerics.
  if (c === 110) return s.startsWith('npm_', i) && runLen(s, i + 4, ALNUM) >= 36 ? hit(i, runEnd(s, i + 4, ALNUM), true) : undefined;
  return undefined;
}

/**
 * Slack tokens: xoxb-/xoxp-/xoxe-/xoxo-/xoxs- carry a numeric team or user id (8+ digits in
 * their first 20 characters; gitleaks' placeholders `xoxb-xxx`, `xoxb-xoxb-my-bot-token` have
 * none); xoxa-/xoxr- are `(\d-)?` + 8 or more alphanumerics; xapp- is `\d-` + the rest.
 */
function slackAt(s: string, i: number): ShapeHit | undefined {
  if (s.startsWith('xapp-', i)) {
    const ok = s.charCodeAt(i + 5) >= 48 && s.charCodeAt(i + 5) <= 57 && s.charCodeAt(i + 6) === 45 && runLen(s, i + 7, TOKEN) >= 20;
    return ok ? hit(i, runEnd(s, i + 7, TOKEN), true) : undefined;
  }
  if (!s.startsWith('xox', i) || s.charCodeAt(i + 4) !== 45) return undefined;
  const kind = s[i + 3] as string;
  const from = i + 5;
  const end = runEnd(s, from, TOKEN);
  if (kind === 'a' || kind === 'r') {
    const at = is(s, from, ALNUM) && s.charCodeAt(from + 1) === 45 ? from + 2 : from;
    return runLen(s, at, ALNUM) >= 8 ? hit(i, end, true) : undefined;
  }
  let digits = 0;
  for (let k = from; k < Math.min(end, from + 20) && digits < 8; k++)
    digits = s.charCodeAt(k) >= 48 && s.charCodeAt(k) <= 57 ? digits + 1 : 0;
  return digits >= 8 ? hit(i, end, true) : undefined;
}

/** `hooks.slack.com/services|workflows|triggers/` + 43 or more of [A-Za-z0-9+/]: the path is the secret. */
function slackHookAt(s: string, i: number): ShapeHit | undefined {
  if (!s.startsWith('hooks.slack.com', i)) return undefined;
  let j = i + 15;
  const slash = (k: number): number => (s.charCodeAt(k) === 47 ? k + 1 : s.charCodeAt(k) === 92 && s.charCodeAt(k + 1) === 47 ? k + 2 : -1);
  j = slash(j);
  if (j < 0) return undefined;
  const kind = s.startsWith('services', j) ? 8 : s.startsWith('workflows', j) ? 9 : s.startsWith('triggers', j) ? 8 : 0;
  if (kind === 0) return undefined;
  const from = slash(j + kind);
  if (from < 0) return undefined;
  let end = from;
  for (; end < s.length; end++) {
    const d = s.charCodeAt(end);
    if (!(is(s, end, ALNUM) || d === 43 || d === 47 || (d === 92 && s.charCodeAt(end + 1) === 47))) break;
  }
  return end - from >= 43 ? hit(from, end, true) : undefined;
}

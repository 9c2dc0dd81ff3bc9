// The shape every vendor dialect (docs/event-model.md §3, dialects 3–6) is reduced to.
import type { Category, LimitKind } from './event.ts';

export interface VendorError {
  vendor: string;
  code: string;
  subCode: string;
  message: string;
  category: Category;
  limitKind: LimitKind;
}

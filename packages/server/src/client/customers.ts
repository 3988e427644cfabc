/**
 * The CRM part of the typed client (`client.customers`, `client.customerFields`); types come from
 * crm/schemas.ts (type-only imports).
 */
import type {
  Customer, CustomerInput, CustomerPage, CustomerPatch, CustomField, CustomFieldInput, Duplicate, ImportInput, ImportReport, Note,
  TimelineItem,
} from '../crm/schemas.js';
import type { EraseReport, PersonalData } from '../crm/privacy.js';
import type { Personalized } from '../crm/personalization.js';

export type { EraseReport, PersonalData, Personalized };
export type { Customer, CustomerInput, CustomerPage, CustomerPatch, CustomField, CustomFieldInput, Duplicate, ImportInput, ImportReport, Note, TimelineItem };

export interface LookupResult {
  /** The E.164 number or lower-cased address looked up. */
  normalized: string;
  customers: Customer[];
}

type Requester = { request<T>(method: string, path: string, body?: unknown, query?: Record<string, string | number | boolean | undefined>): Promise<T> };

const enc = encodeURIComponent;
const one = (id: number | string) => `/v1/customers/${enc(String(id))}`;

export class CustomersClient {
  constructor(private readonly c: Requester) {}

  list(q: { after?: number; limit?: number; q?: string; tag?: string } = {}): Promise<CustomerPage> {
    return this.c.request('GET', '/v1/customers', undefined, q);
  }
  get(id: number | string): Promise<Customer> {
    return this.c.request('GET', one(id));
  }
  create(input: CustomerInput): Promise<Customer> {
    return this.c.request('POST', '/v1/customers', input);
  }
  update(id: number | string, patch: CustomerPatch): Promise<Customer> {
    return this.c.request('PATCH', one(id), patch);
  }
  delete(id: number | string): Promise<void> {
    return this.c.request('DELETE', one(id));
  }
  /** Everything held about one person (needs privacy:read: admins, auditors). */
  personalData(id: number | string): Promise<PersonalData> {
    return this.c.request('GET', `${one(id)}/export`);
  }
  /** Erase a person everywhere (needs privacy:erase: admins). */
  erase(id: number | string): Promise<EraseReport> {
    return this.c.request('POST', `${one(id)}/erase`, {});
  }
  /** Customers with this phone number (any format) or email address. */
  lookup(by: { phone: string } | { email: string }): Promise<LookupResult> {
    return this.c.request('GET', '/v1/customers/lookup', undefined, by);
  }
  /** How the ACD treats a caller with this number (any format): customer, VIP priority, preferred and last agent, language. */
  personalization(phone: string): Promise<Personalized> {
    return this.c.request('GET', '/v1/customers/personalization', undefined, { phone });
  }
  timeline(id: number | string, limit?: number): Promise<TimelineItem[]> {
    return this.c.request('GET', `${one(id)}/timeline`, undefined, { limit });
  }
  duplicates(id: number | string): Promise<Duplicate[]> {
    return this.c.request('GET', `${one(id)}/duplicates`);
  }
  /** Merge customer `from` into `id` (target wins on conflict) and delete `from`. */
  merge(id: number | string, from: number): Promise<Customer> {
    return this.c.request('POST', `${one(id)}/merge`, { from });
  }
  /** One batch of at most 5,000 rows. */
  import(input: ImportInput): Promise<ImportReport> {
    return this.c.request('POST', '/v1/customers/import', input);
  }
  /** Every customer, paged by id (needs customers:export). */
  export(q: { after?: number; limit?: number } = {}): Promise<CustomerPage> {
    return this.c.request('GET', '/v1/customers/export', undefined, q);
  }

  notes = {
    list: (id: number | string): Promise<Note[]> => this.c.request('GET', `${one(id)}/notes`),
    add: (id: number | string, text: string): Promise<Note> => this.c.request('POST', `${one(id)}/notes`, { text }),
    delete: (id: number | string, noteId: number | string): Promise<void> => this.c.request('DELETE', `${one(id)}/notes/${enc(String(noteId))}`),
  };
}

export class CustomerFieldsClient {
  constructor(private readonly c: Requester) {}
  list(): Promise<CustomField[]> {
    return this.c.request('GET', '/v1/customer-fields');
  }
  create(input: CustomFieldInput): Promise<CustomField> {
    return this.c.request('POST', '/v1/customer-fields', input);
  }
  delete(name: string): Promise<void> {
    return this.c.request('DELETE', `/v1/customer-fields/${enc(name)}`);
  }
}

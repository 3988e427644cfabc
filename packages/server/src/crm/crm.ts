/**
 * The CRM as one object for the API: customers (customers.ts), custom fields (fields.ts), notes and the
 * timeline (notes.ts), duplicates and merge (duplicates.ts), import (import.ts). Phone numbers are read
 * in `crm.defaultRegion` (config).
 */
import type { FileStore } from '../db/files.js';
import type { Store } from '../events/changes.js';
import { Customers } from './customers.js';
import { Duplicates } from './duplicates.js';
import { CustomFields } from './fields.js';
import { Importer } from './import.js';
import { Notes } from './notes.js';
import { Privacy } from './privacy.js';

export class Crm {
  readonly fields: CustomFields;
  readonly customers: Customers;
  readonly notes: Notes;
  readonly duplicates: Duplicates;
  readonly importer: Importer;
  readonly privacy: Privacy;

  /** `files`: the server's file store, whose ticket attachments erasure deletes. */
  constructor(store: Store, defaultRegion: string, files: FileStore) {
    this.fields = new CustomFields(store);
    this.customers = new Customers(store, this.fields, defaultRegion);
    this.notes = new Notes(store, this.customers);
    this.duplicates = new Duplicates(store, this.customers);
    this.importer = new Importer(store, this.customers, this.fields);
    this.privacy = new Privacy(store, this.customers, files);
  }
}

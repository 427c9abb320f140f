// The store conformance suite: one set of tests every store implementation passes (issue 14). Each
// implementation's test file gives a factory of empty stores and runs this.
import type { Test } from 'tap';
import type { StoreFactory } from './harness.js';
import { commitTests } from './commits.js';
import { relayTests } from './relay.js';
import { adminTests } from './admin.js';
import { mappingTests } from './mappings.js';

export type { StoreFactory, StoreKit } from './harness.js';

export function storeConformance(t: Test, factory: StoreFactory): void {
  commitTests(t, factory);
  relayTests(t, factory);
  adminTests(t, factory);
  mappingTests(t, factory);
}

// The systems registry: the store is the truth; this keeps an in-memory view for the hot path
// (authentication, scope checks, routing) and is refreshed on every change made through it.
import { Ajv } from 'ajv';
import { HubError } from '../errors.js';
import type { Level } from '../canonical/types.js';
import type { AuditEntry, CommuneKind, Store, SystemRecord, SystemRegistration } from '../store/types.js';
import { changedMembers, mergePatch, registrationOf } from './patch.js';
import { keyHmac, newApiKey, newKeyId } from '../trust/keys.js';
import { getAdapter } from '../../adapters/registry.js';
import { versionInsert } from '../mappings/versions.js';
import { AdapterResolver, type ResolvedAdapter } from '../mappings/adapters.js';
import { registrationSchema } from './schema.js';
import { formatVn } from '../util/time.js';
import type { Actor } from '../dossiers/rules.js';
import { scopeCodes } from '../dossiers/routing.js';

const validateRegistration = new Ajv({ allErrors: false, strict: false }).compile(registrationSchema);

export class Registry {
  private byId = new Map<string, SystemRecord>();
  private byFingerprint = new Map<string, SystemRecord>();
  private byAgency = new Map<string, { system: SystemRecord; level: Level; name?: string; kind?: CommuneKind }>();
  private readonly listeners = new Set<() => void>();

  readonly adapters: AdapterResolver;

  constructor(private readonly store: Store, private readonly keySecret: string) {
    this.adapters = new AdapterResolver(store);
    // Several instances on one PostgreSQL database: a change another instance made arrives as a notification (and
    // once after every reconnect), and this view is read again. On SQLite every change goes through this registry.
    if (store.kind === 'postgres') store.onKeysChanged?.(() => { this.load().catch(() => {}); });
  }

  /** The system's adapter: built-in by name, or its active mapping version. */
  adapterFor(s: Pick<SystemRecord, 'id' | 'adapter'>): ResolvedAdapter | undefined {
    return this.adapters.resolve(s);
  }

  private loading: Promise<void> = Promise.resolve();

  /**
   * Reads the registry again. Loads run one after another: two overlapping loads (a notification and the answering
   * request's own) could otherwise finish out of order and leave the older view in place.
   */
  load(): Promise<void> {
    const next = this.loading.then(() => this.loadNow(), () => this.loadNow());
    this.loading = next.catch(() => {});
    return next;
  }

  private async loadNow(): Promise<void> {
    const systems = await this.store.listSystems();
    await this.adapters.load();
    this.byId = new Map(systems.map((s) => [s.id, s]));
    this.byAgency = new Map();
    this.byFingerprint = new Map();
    for (const s of systems) {
      if (s.status !== 'active') continue;
      for (const f of s.certificates ?? []) this.byFingerprint.set(f, s);
      for (const a of s.agencies) this.byAgency.set(a.code, { system: s, level: a.level, ...(a.name ? { name: a.name } : {}), ...(a.kind ? { kind: a.kind } : {}) });
    }
    for (const l of this.listeners) l();
  }

  /** Called after every (re)load, i.e. after every change made through the registry (the relay declares queues on it). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(id: string): SystemRecord | undefined {
    return this.byId.get(id);
  }

  /** The active system whose registration lists this client-certificate fingerprint (api.md "mTLS"). */
  byCertificate(fingerprint: string): SystemRecord | undefined {
    return this.byFingerprint.get(fingerprint);
  }

  list(): SystemRecord[] {
    return [...this.byId.values()];
  }

  active(): SystemRecord[] {
    return this.list().filter((s) => s.status === 'active');
  }

  /** The system serving an agency and the agency's registered level, kind and name (predecessors are not served). */
  servingSystem(agency: string): { systemId: string; level: Level; name?: string; kind?: CommuneKind } | undefined {
    const hit = this.byAgency.get(agency);
    return hit ? { systemId: hit.system.id, level: hit.level, ...(hit.name ? { name: hit.name } : {}), ...(hit.kind ? { kind: hit.kind } : {}) } : undefined;
  }

  actor(s: SystemRecord): Actor {
    return { id: s.id, role: s.role, agencies: scopeCodes(s) };
  }

  /** Validate and register; returns the record and its first API key (shown once, stored as an HMAC). */
  async register(reg: SystemRegistration, now = Date.now(), actor = 'admin'): Promise<{ system: SystemRecord; apiKey: string }> {
    const apiKey = newApiKey(reg.id);
    return { system: await this.insert(reg, now, keyHmac(this.keySecret, apiKey), actor), apiKey };
  }

  /** A `"credentials": "manual"` bootstrap system: no key until an administrator issues one (`POST …/keys`). */
  async registerWithoutKey(reg: SystemRegistration, now = Date.now(), actor = 'hub'): Promise<SystemRecord> {
    return this.insert(reg, now, null, actor);
  }

  /** A mapping system's document becomes version 1, active at once (api.md "Systems"); the record keeps `mapping: null`. */
  private async insert(reg: SystemRegistration, now: number, hmac: string | null, actor: string): Promise<SystemRecord> {
    const record = this.toRecord(reg, now);
    let first;
    if (record.adapter === 'mapping') {
      const { insert } = versionInsert(record.id, reg.mapping, actor, record.createdAt);
      first = { version: insert, audit: { actor, action: 'mapping.activate', target: record.id, detail: { before: null, after: { version: 1, sha256: insert.sha256 }, forced: false } } };
      record.mapping = null;
    }
    await this.store.insertSystem(record, hmac, first);
    await this.load();
    return record;
  }

  /** A JSON merge patch of the registration, validated as a whole; the audit entry gets the before/after of what changed. */
  async patch(id: string, patch: Record<string, unknown>, audit: Omit<AuditEntry, 'detail'>, now = Date.now()): Promise<SystemRecord> {
    const current = this.activeOrThrow(id);
    const record = this.patched(id, patch, now);
    const diff = changedMembers(current, record);
    await this.store.admin.updateSystem(record, { ...audit, detail: diff });
    await this.load();
    return record;
  }

  /** The record a merge patch would give, validated as a whole as a registration is; nothing is stored. */
  patched(id: string, patch: Record<string, unknown>, now = Date.now()): SystemRecord {
    const current = this.activeOrThrow(id);
    const merged = mergePatch(registrationOf(current), patch) as SystemRegistration;
    return { ...this.toRecord({ ...merged, id }, now), createdAt: current.createdAt };
  }

  /** Retires (api.md "DELETE"): keys stop, agencies are freed, pending deliveries become dead letters; again answers the same. */
  async retire(id: string, audit: Omit<AuditEntry, 'detail'>, now = Date.now()): Promise<{ system: SystemRecord; deadLetters: number; already: boolean }> {
    const current = this.byId.get(id);
    if (!current) throw new HubError('HUB_NOT_FOUND', `No system ${id}`);
    if (current.status === 'retired') return { system: current, deadLetters: 0, already: true };
    const record: SystemRecord = { ...current, status: 'retired', updatedAt: formatVn(now) };
    const { deadLetters } = await this.store.admin.retireSystem(record, now, { ...audit, detail: { before: { status: 'active' }, after: { status: 'retired' } } });
    await this.load();
    return { system: record, deadLetters, already: false };
  }

  /** A new key; every earlier one ends at now + overlap (or sooner when it already ends sooner). */
  async rotateKey(id: string, overlapSeconds: number, audit: Omit<AuditEntry, 'detail'>, now = Date.now()): Promise<{ apiKey: string; keyId: string; previousKeyValidUntil: string | null }> {
    this.activeOrThrow(id);
    const apiKey = newApiKey(id);
    const keyId = newKeyId();
    const until = formatVn(now + overlapSeconds * 1000);
    const previousKeyValidUntil = await this.store.admin.rotateKey(
      { systemId: id, keyHmac: keyHmac(this.keySecret, apiKey), keyId, createdAt: formatVn(now), validUntil: null }, until,
      { ...audit, detail: { keyId, overlapSeconds } },
    );
    return { apiKey, keyId, previousKeyValidUntil };
  }

  private activeOrThrow(id: string): SystemRecord {
    const current = this.byId.get(id);
    if (!current) throw new HubError('HUB_NOT_FOUND', `No system ${id}`);
    if (current.status === 'retired') throw new HubError('HUB_SYSTEM_RETIRED', `System ${id} is retired`);
    return current;
  }

  /** A fingerprint authenticates one system: one registered to another active system is 409. */
  private checkCertificates(reg: SystemRegistration): void {
    (reg.certificates ?? []).forEach((f, i) => {
      const owner = this.byFingerprint.get(f);
      if (owner && owner.id !== reg.id) {
        throw new HubError('HUB_SYSTEM_CERTIFICATE_TAKEN', `The certificate ${f.slice(0, 12)}… is registered to ${owner.id}`, [{ path: `/certificates/${i}`, message: `registered to ${owner.id}` }]);
      }
    });
  }

  private toRecord(reg: SystemRegistration, now: number): SystemRecord {
    const { comment: _c, ...clean } = reg as SystemRegistration & { comment?: string };
    if (!validateRegistration(clean)) {
      const e = validateRegistration.errors?.[0];
      throw new HubError('HUB_VALIDATION', `Invalid registration: ${e?.instancePath || '/'} ${e?.message}`, [{ path: e?.instancePath || '/', message: e?.message ?? 'invalid' }]);
    }
    if (clean.adapter !== 'mapping' && !getAdapter(clean.adapter)) {
      throw new HubError('HUB_SYSTEM_ADAPTER_UNKNOWN', `No adapter named ${clean.adapter}`, [{ path: '/adapter', message: 'unknown adapter' }]);
    }
    checkLevels(clean);
    this.checkCertificates(clean);
    if (clean.delivery.mode === 'push' && !clean.delivery.url) {
      throw new HubError('HUB_VALIDATION', 'Push delivery needs a url', [{ path: '/delivery/url', message: 'is required when mode is push' }]);
    }
    const iso = formatVn(now);
    return {
      ...clean,
      mapping: clean.mapping ?? null,
      agencies: clean.agencies.map((a) => (typeof a === 'string' ? { code: a, level: clean.level } : { ...a, level: a.level ?? clean.level })),
      status: 'active',
      createdAt: iso,
      updatedAt: iso,
    };
  }
}

/** No system or agency is registered at level district any more (canonical.md "Levels"); kind is for communes. */
function checkLevels(reg: SystemRegistration): void {
  if (reg.level === 'district') {
    throw new HubError('HUB_LEVEL_RETIRED', 'Level district is retired since 1 July 2025: register the system at province or commune', [{ path: '/level', message: 'district is retired; use province or commune' }]);
  }
  reg.agencies.forEach((a, i) => {
    if (typeof a === 'string') return;
    if (a.level === 'district') {
      throw new HubError('HUB_LEVEL_RETIRED', `Agency ${a.code} cannot be registered at level district; register old identifiers as predecessors`, [{ path: `/agencies/${i}/level`, message: 'district is retired; use province or commune' }]);
    }
    if (a.kind && (a.level ?? reg.level) !== 'commune') {
      throw new HubError('HUB_VALIDATION', `Agency ${a.code}: kind is for commune-level agencies only`, [{ path: `/agencies/${i}/kind`, message: 'only with level commune' }]);
    }
  });
}

// Registrations in config/systems/*.json are registered at start when absent, so a fresh install knows the
// province's systems. A key generated for one is written once (0600) in the data dir and never logged.
import { readdirSync, readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Registry } from './registry.js';
import type { AuditEntry, Store, SystemRegistration } from '../store/types.js';
import { checkShippedSamples, saveShippedSamples, shippedMapping, warnIfShippedDiffers } from '../mappings/shipped.js';

/** `audit`: the bootstrap registrations are audited with actor `hub` (api.md "Audit log"). */
export async function bootstrapSystems(registry: Registry, configDir: string, dataDir: string, log: Logger, audit?: (e: AuditEntry) => Promise<void>, store?: Store): Promise<string[]> {
  const dir = path.join(configDir, 'systems');
  if (!existsSync(dir)) return [];
  const registered: string[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    let raw: SystemRegistration & { credentials?: unknown };
    try {
      raw = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    } catch (err) {
      throw new Error(`config/systems/${file}: not valid JSON (${(err as Error).message})`);
    }
    // `credentials` exists only in these files (api.md "Systems"): "manual" means no key until POST …/keys.
    const { credentials, ...reg } = raw;
    if (credentials !== undefined && credentials !== 'manual') throw new Error(`config/systems/${file}: credentials must be "manual" or absent`);
    if (registry.get(reg.id)) {
      if (reg.adapter === 'mapping' && store) await warnIfShippedDiffers(store, dir, reg.id, log);
      continue;
    }
    try {
      if (reg.adapter === 'mapping' && (reg.mapping === null || reg.mapping === undefined)) reg.mapping = shippedMapping(dir, reg.id);
      // Every shipped sample is checked before anything is stored: a mismatch fails the start with nothing registered.
      const samples = reg.adapter === 'mapping' && store ? checkShippedSamples(dir, reg.id, reg.mapping) : [];
      if (credentials === 'manual') {
        const system = await registry.registerWithoutKey(reg);
        await audit?.({ actor: 'hub', action: 'system.register', target: system.id, detail: { adapter: system.adapter, credentials: 'manual' } });
        if (store) await saveShippedSamples(store, system.id, samples);
        log.info({ system: system.id }, 'bootstrap system registered without a key; issue its first one with POST /v1/admin/systems/{id}/keys');
        registered.push(system.id);
        continue;
      }
      const { system, apiKey } = await registry.register(reg, Date.now(), 'hub');
      // The key file and the audit entry first: the key is handed over even if saving a sample fails afterwards.
      await audit?.({ actor: 'hub', action: 'system.register', target: system.id, detail: { adapter: system.adapter } });
      const keyDir = path.join(dataDir, 'keys');
      mkdirSync(keyDir, { recursive: true, mode: 0o700 });
      const keyFile = path.join(keyDir, `${system.id}.key`);
      writeFileSync(keyFile, `${apiKey}\n`, { mode: 0o600, flag: 'wx' });
      if (store) await saveShippedSamples(store, system.id, samples);
      log.info({ system: system.id, keyFile }, 'bootstrap system registered; its API key was written to the key file (read it once, then remove it)');
      registered.push(system.id);
    } catch (err) {
      throw new Error(`config/systems/${file}: ${(err as Error).message}`);
    }
  }
  return registered;
}

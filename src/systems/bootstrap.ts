// Registrations in config/systems/*.json are registered at start when absent, so a fresh install knows the
// province's systems. A key generated for one is written once (0600) in the data dir and never logged.
import { readdirSync, readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Registry } from './registry.js';
import type { SystemRegistration } from '../store/types.js';

export async function bootstrapSystems(registry: Registry, configDir: string, dataDir: string, log: Logger): Promise<string[]> {
  const dir = path.join(configDir, 'systems');
  if (!existsSync(dir)) return [];
  const registered: string[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    let reg: SystemRegistration;
    try {
      reg = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    } catch (err) {
      throw new Error(`config/systems/${file}: not valid JSON (${(err as Error).message})`);
    }
    if (registry.get(reg.id)) continue;
    try {
      const { system, apiKey } = await registry.register(reg);
      const keyDir = path.join(dataDir, 'keys');
      mkdirSync(keyDir, { recursive: true, mode: 0o700 });
      const keyFile = path.join(keyDir, `${system.id}.key`);
      writeFileSync(keyFile, `${apiKey}\n`, { mode: 0o600, flag: 'wx' });
      log.info({ system: system.id, keyFile }, 'bootstrap system registered; its API key was written to the key file (read it once, then remove it)');
      registered.push(system.id);
    } catch (err) {
      throw new Error(`config/systems/${file}: ${(err as Error).message}`);
    }
  }
  return registered;
}

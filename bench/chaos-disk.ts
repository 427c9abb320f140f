// The disk-full scenario: the data dir on a small tmpfs of its own (a loop-mounted ext4 file where tmpfs is refused).
// Below HUB_MIN_FREE_MB dossiers are 503 HUB_STORE_FULL with Retry-After and /readyz says full; then, with the floor
// at 0, the disk filled completely so that SQLite itself meets SQLITE_FULL: still 503, the process stays up. Space
// comes back (the filler deleted): ingest resumes, every 2xx is stored once and delivered.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statfsSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HubProcess, Load, check, countingTarget, type Row } from './chaos-kit.js';
import { waitFor } from '../test/relay/helpers.js';

const MB = 1024 * 1024;

/** A small file system of its own at a fresh folder, or the reason there is none. */
export function smallDisk(sizeMb: number): { dir: string; release(): void } | { skip: string } {
  const mnt = mkdtempSync(path.join(tmpdir(), 'hub-chaos-disk-'));
  const tries: string[] = [];
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=0700`, 'tmpfs', mnt], { stdio: 'pipe' });
    return guarded({ dir: mnt, release: () => { umount(mnt); rmSync(mnt, { recursive: true, force: true }); } });
  } catch (err) { tries.push(`tmpfs: ${String((err as Error).message).split('\n')[0]}`); }
  const img = `${mnt}.img`;
  try {
    execFileSync('truncate', ['-s', `${sizeMb}M`, img]);
    execFileSync('mkfs.ext4', ['-q', '-F', img], { stdio: 'pipe' });
    execFileSync('mount', ['-o', 'loop', img, mnt], { stdio: 'pipe' });
    return guarded({ dir: mnt, release: () => { umount(mnt); rmSync(img, { force: true }); rmSync(mnt, { recursive: true, force: true }); } });
  } catch (err) { tries.push(`loop ext4: ${String((err as Error).message).split('\n')[0]}`); }
  rmSync(img, { force: true });
  rmSync(mnt, { recursive: true, force: true });
  return { skip: `no small file system can be mounted here (${tries.join('; ')})` };
}

/** Released once, by the caller or, when a timeout skipped its finally, at exit. */
function guarded(d: { dir: string; release(): void }): { dir: string; release(): void } {
  let done = false;
  const release = () => { if (done) return; done = true; process.off('exit', release); d.release(); };
  process.once('exit', release);
  return { dir: d.dir, release };
}

function umount(mnt: string): void {
  for (let i = 0; i < 20; i++) {
    try { execFileSync('umount', [mnt], { stdio: 'pipe' }); return; } catch { execFileSync('sleep', ['0.25']); }
  }
  execFileSync('umount', ['-l', mnt], { stdio: 'pipe' });
}

const freeBytes = (dir: string) => { const s = statfsSync(dir); return s.bavail * s.bsize; };

/** Writes a filler file until `leaveBytes` are free (0: until the disk refuses). */
function fill(file: string, leaveBytes: number): void {
  const fd = openSync(file, 'a');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) {
      const room = freeBytes(path.dirname(file)) - leaveBytes;
      if (room <= 0) break;
      try { writeSync(fd, chunk, 0, Math.min(chunk.length, Math.max(4096, room))); } catch { break; } // ENOSPC: full
    }
  } finally { closeSync(fd); }
}

export async function diskFull(o: { seconds: number; concurrency?: number }): Promise<Row> {
  const scenario = 'data dir disk full';
  const disk = smallDisk(48);
  const blank = (note: string): Row => ({ scenario, requests: 0, ok: 0, stored: 0, delivered: 0, duplicates: 0, unanswered: 0, result: 'skipped', note });
  if ('skip' in disk) return blank(disk.skip);
  const target = await countingTarget();
  const work = mkdtempSync(path.join(tmpdir(), 'hub-chaos-'));
  const hub = new HubProcess({ dir: work, targetUrl: target.url });
  // The data dir on the small disk; the config stays outside.
  const dataOnDisk = path.join(disk.dir, 'data');
  mkdirSync(dataOnDisk, { mode: 0o700 });
  (hub as { dataDir: string }).dataDir = dataOnDisk;
  const filler = path.join(disk.dir, 'filler');
  const problems: string[] = [];
  const load = new Load(hub);
  try {
    await hub.start({ HUB_MIN_FREE_MB: '8' });
    const ms = o.seconds * 1000;
    // 1. Load with room to spare.
    const t0 = Date.now();
    await load.run(() => Date.now() - t0 > ms / 4 && load.ok > 50, o.concurrency);
    const before = load.ok;
    // 2. Below the floor: the filler leaves 4 MB of the 8 the floor asks for.
    fill(filler, 4 * MB);
    let stop = false;
    const refusing = load.run(() => stop, o.concurrency);
    await waitFor('dossiers refused 503 HUB_STORE_FULL below the floor', () => (load.codes.get('HUB_STORE_FULL') ?? 0) >= 20, 30_000, 50);
    const r = await hub.readyz();
    if (r.status !== 503 || r.body.store !== 'full' || r.body.status !== 'unavailable') problems.push(`readyz below the floor: ${r.status} ${JSON.stringify(r.body)}`);
    stop = true;
    await refusing;
    // 3. Completely full, the floor at 0: SQLite itself meets the full disk.
    await hub.stop();
    await hub.start({ HUB_MIN_FREE_MB: '0' });
    fill(filler, 0);
    const fullBefore = load.codes.get('HUB_STORE_FULL') ?? 0;
    stop = false;
    const filling = load.run(() => stop, o.concurrency);
    await waitFor('dossiers refused 503 HUB_STORE_FULL on a full disk', () => (load.codes.get('HUB_STORE_FULL') ?? 0) >= fullBefore + 20 || !hub.alive(), 60_000, 50);
    if (!hub.alive()) problems.push('the hub died on a full disk');
    const full = await hub.readyz().catch(() => undefined);
    if (full?.status !== 503 || full.body.store !== 'full') problems.push(`readyz on a full disk: ${full?.status} ${JSON.stringify(full?.body)}`);
    stop = true;
    await filling;
    // 4. Space returns: ingest resumes without a restart.
    unlinkSync(filler);
    const resumedFrom = load.ok;
    const t1 = Date.now();
    await load.run(() => (Date.now() - t1 > ms / 4 && load.ok > resumedFrom + 50) || Date.now() - t1 > 60_000, o.concurrency);
    if (load.ok <= resumedFrom) problems.push('ingest did not resume when space returned');
    await waitFor('every 2xx dossier delivered', () => [...load.accepted].every((c) => target.codes.has(c)), 120_000, 100).catch(() => {});
    const ready = await hub.readyz();
    if (ready.status !== 200 || ready.body.store !== 'up') problems.push(`readyz after space returned: ${ready.status} ${JSON.stringify(ready.body)}`);
    if (!hub.alive()) problems.push('the hub died');
    if (load.retryAfterMissing) problems.push(`${load.retryAfterMissing} answers 503 without Retry-After`);
    await hub.stop();
    const row = check(scenario, load, hub, target, {
      extra: problems,
      note: `${before} before the floor, ${load.codes.get('HUB_STORE_FULL') ?? 0} × 503 HUB_STORE_FULL, ${load.ok - resumedFrom} after space returned`,
    });
    return row;
  } finally {
    await hub.stop('SIGKILL');
    await target.close();
    rmSync(work, { recursive: true, force: true });
    disk.release();
  }
}

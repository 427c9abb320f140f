// A RabbitMQ virtual host of a test's own on the shared broker (127.0.0.1:5672): created with rabbitmqctl, guest
// given full rights on it, deleted (with everything in it) by `remove`.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

const ctl = (...args: string[]) => execFileSync('rabbitmqctl', args, { stdio: 'pipe', timeout: 120_000 }).toString();

export interface Vhost { name: string; url: string; remove(): void }

export function createVhost(label = 'hub'): Vhost {
  const name = `${label}-${randomBytes(5).toString('hex')}`;
  ctl('add_vhost', name);
  ctl('set_permissions', '-p', name, 'guest', '.*', '.*', '.*');
  let removed = false;
  return {
    name, url: `amqp://guest:guest@127.0.0.1:5672/${encodeURIComponent(name)}`,
    remove() {
      if (removed) return;
      removed = true;
      try { ctl('delete_vhost', name); } catch { /* already gone */ }
    },
  };
}

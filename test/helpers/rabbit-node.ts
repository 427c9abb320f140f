// A RabbitMQ node of a test's own, on ports of its own, so a test may stop and start its broker without touching
// the shared one on 5672 (other tests use it at the same time). Same Erlang cookie as the shared node (the
// packaged scripts run as the rabbitmq user, whose home holds it); no plugins; files in a temporary folder.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { freePort } from './net.js';

export interface RabbitNode {
  name: string;
  url: string;
  /** Stops the broker application (the node stays up), like an outage; `startApp` brings it back. */
  stopApp(): void;
  startApp(): void;
  /** Shuts the node down and removes its files; safe to call twice. */
  shutdown(): void;
}

const ctl = (node: string, env: NodeJS.ProcessEnv, ...args: string[]) =>
  execFileSync('rabbitmqctl', ['-n', node, ...args], { stdio: 'pipe', timeout: 120_000, env }).toString();

/** Starts the node and waits for it, or says why it cannot run here. */
export async function startRabbitNode(): Promise<RabbitNode | { skip: string }> {
  if (spawnSync('sh', ['-c', 'command -v rabbitmq-server && id -u rabbitmq'], { stdio: 'ignore' }).status !== 0) {
    return { skip: 'rabbitmq-server is not installed here (or no rabbitmq user)' };
  }
  const base = mkdtempSync(path.join(tmpdir(), 'hub-rabbit-'));
  const name = `chaos-${randomBytes(4).toString('hex')}@localhost`;
  const port = await freePort();
  const dist = await freePort();
  const plugins = path.join(base, 'enabled_plugins');
  writeFileSync(plugins, '[].\n');
  const conf = path.join(base, 'rabbitmq.conf');
  writeFileSync(conf, 'loopback_users.guest = true\n');
  const uid = Number(execFileSync('id', ['-u', 'rabbitmq']).toString());
  const gid = Number(execFileSync('id', ['-g', 'rabbitmq']).toString());
  for (const f of [base, plugins, conf]) chownSync(f, uid, gid);
  const env: NodeJS.ProcessEnv = {
    ...process.env, RABBITMQ_NODENAME: name, RABBITMQ_NODE_PORT: String(port), RABBITMQ_DIST_PORT: String(dist),
    RABBITMQ_MNESIA_BASE: path.join(base, 'mnesia'), RABBITMQ_LOG_BASE: path.join(base, 'log'), RABBITMQ_ENABLED_PLUGINS_FILE: plugins,
    RABBITMQ_CONFIG_FILE: conf, RABBITMQ_PID_FILE: path.join(base, 'pid'), RABBITMQ_ADVANCED_CONFIG_FILE: path.join(base, 'advanced.config'),
  };
  let up = false;
  const node: RabbitNode = {
    name, url: `amqp://guest:guest@127.0.0.1:${port}`,
    stopApp: () => { ctl(name, env, 'stop_app'); },
    startApp: () => { ctl(name, env, 'start_app'); ctl(name, env, 'await_startup', '--timeout', '120'); },
    shutdown: () => {
      process.off('exit', node.shutdown);
      if (up) {
        try { ctl(name, env, 'shutdown'); } catch { try { ctl(name, env, 'stop'); } catch { /* already gone */ } }
        up = false;
      }
      rmSync(base, { recursive: true, force: true });
    },
  };
  // A test ended by its timeout skips its finally blocks but still exits: the node goes with it.
  process.once('exit', node.shutdown);
  try {
    execFileSync('rabbitmq-server', ['-detached'], { stdio: 'pipe', timeout: 60_000, env });
    up = true;
    // The node registers with epmd a moment after -detached returns: until then await_startup fails at once.
    const until = Date.now() + 120_000;
    for (;;) {
      try { ctl(name, env, 'await_startup', '--timeout', '20'); break; } catch (err) {
        if (Date.now() > until) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    return node;
  } catch (err) {
    node.shutdown();
    return { skip: `an own RabbitMQ node did not start: ${String((err as Error).message).split('\n')[0]}` };
  }
}

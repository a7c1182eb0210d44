/**
 * A throw-away PostgreSQL server for tests: Debian's `postgresql` package binaries (installed by .ci/run),
 * `initdb` into a temporary directory, `pg_ctl start` on a free loopback port with the socket in that directory,
 * trust authentication, no fsync. PostgreSQL refuses to run as root, so as root the server runs as the
 * `postgres` user (created by the package), else as `nobody`. Missing binaries fail loudly: this is a required
 * test, not an optional one.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface PostgresServer {
  port: number;
  /** postgres://ailedger@127.0.0.1:<port>/<database> */
  url(database: string): string;
  createDatabase(name: string): Promise<string>;
  /** Stops the server (fast shutdown); its data stays, so `start()` brings the same databases back. */
  stop(): void;
  start(): Promise<void>;
  /** Stops the server and removes its directory. */
  destroy(): void;
}

const SUPERUSER = 'ailedger';

/** Where initdb and pg_ctl are: $AILEDGER_TEST_PG_BIN, Debian's versioned directory, else PATH. */
export function findPostgresBin(): string {
  const fromEnv = process.env.AILEDGER_TEST_PG_BIN;
  if (fromEnv) {
    if (fs.existsSync(path.join(fromEnv, 'initdb'))) return fromEnv;
    throw new Error(`AILEDGER_TEST_PG_BIN=${fromEnv} has no initdb`);
  }
  // Debian keeps the server binaries out of PATH, under /usr/lib/postgresql/<major>/bin.
  const debian = '/usr/lib/postgresql';
  if (fs.existsSync(debian)) {
    const majors = fs
      .readdirSync(debian)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const major of majors) {
      const bin = path.join(debian, major, 'bin');
      if (fs.existsSync(path.join(bin, 'initdb')) && fs.existsSync(path.join(bin, 'pg_ctl'))) return bin;
    }
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'pg_ctl'))) return dir;
  }
  throw new Error(
    'PostgreSQL server binaries (initdb, pg_ctl) not found: install Debian\'s "postgresql" package ' +
      '(apt-get install postgresql; .ci/run does) or set AILEDGER_TEST_PG_BIN to their directory',
  );
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** As root: the unprivileged user to run the server as, and its uid/gid for chown. */
function serverUser(): { name: string; uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    const id = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
    if (id.status === 0 && gid.status === 0) {
      return { name, uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
    }
  }
  throw new Error(
    'running as root, but neither a "postgres" nor a "nobody" user exists to run PostgreSQL as',
  );
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = findPostgresBin();
  const user = serverUser();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ailedger-pg-'));
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'server.log');
  if (user) fs.chownSync(dir, user.uid, user.gid);
  const run = (tool: string, args: string[]) => {
    const command = path.join(bin, tool);
    const [file, argv] = user ? ['runuser', ['-u', user.name, '--', command, ...args]] : [command, args];
    try {
      return execFileSync(file, argv, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    } catch (e) {
      const err = e as { stderr?: string; stdout?: string; message: string };
      const serverLog = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').slice(-2000) : '';
      throw new Error(`${tool} failed: ${err.stderr || err.stdout || err.message}\n${serverLog}`);
    }
  };
  run('initdb', ['-D', data, '-U', SUPERUSER, '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${dir}`,
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
  ].join(' ');
  const url = (database: string) => `postgres://${SUPERUSER}@127.0.0.1:${port}/${database}`;

  const waitReady = async () => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const client = new pg.Client({ connectionString: url('postgres'), connectionTimeoutMillis: 1000 });
      try {
        await client.connect();
        await client.query('SELECT 1');
        await client.end();
        return;
      } catch (err) {
        await client.end().catch(() => undefined);
        if (Date.now() > deadline) throw new Error(`PostgreSQL did not accept connections: ${String(err)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  let running = false;
  const start = async () => {
    run('pg_ctl', ['-D', data, '-l', log, '-o', options, '-w', '-t', '30', 'start']);
    running = true;
    await waitReady();
  };
  const stop = () => {
    if (!running) return;
    run('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop']);
    running = false;
  };
  await start();
  return {
    port,
    url,
    async createDatabase(name: string) {
      const client = new pg.Client({ connectionString: url('postgres') });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    stop,
    start,
    destroy() {
      try {
        stop();
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

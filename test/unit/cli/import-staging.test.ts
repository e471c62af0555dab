/** `devpipe import-staging`: its user-facing errors (exit 2, located, hinted) and the dry run. */
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { repoRoot, runCli } from '../../helpers/cli.js';

const charts = path.join(repoRoot, 'test/fixtures/staging-charts');
const citoidCheckout = path.join(repoRoot, 'test/fixtures/staging-checkouts/mediawiki-services-citoid');
const env = { ...process.env, XDG_CONFIG_HOME: '/nonexistent-devpipe-test' };

async function chartsCopy(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'devpipe-charts-'));
  await cp(charts, dir, { recursive: true });
  return dir;
}

test('without --charts: exit 2', async (t) => {
  const result = await runCli(['-C', citoidCheckout, 'import-staging', 'citoid'], { env });
  t.is(result.exitCode, 2);
  t.regex(result.stderr, /--charts/);
});

test('--charts that is not a deployment-charts checkout: exit 2 with the fix', async (t) => {
  const result = await runCli(['-C', citoidCheckout, 'import-staging', 'citoid', '--charts', citoidCheckout], { env });
  t.is(result.exitCode, 2);
  t.regex(result.stderr, /is not a deployment-charts checkout \(no helmfile\.d\/services\/\)/);
});

test('an unknown service: exit 2 naming the services of the checkout', async (t) => {
  const result = await runCli(['-C', citoidCheckout, 'import-staging', 'citiod', '--charts', charts, '--dry-run'], { env });
  t.is(result.exitCode, 2);
  t.regex(result.stderr, /no service "citiod" .*helmfile\.d\/services\/citiod\/helmfile\.yaml does not exist\nhint: services of this checkout: citoid, eventgate-main, /);
});

test('a service not deployed to staging: exit 2 at the helmfile line', async (t) => {
  const dir = await chartsCopy();
  const file = path.join(dir, 'helmfile.d/services/zotero/helmfile.yaml');
  await writeFile(file, (await readFile(file, 'utf8')).replace('  staging:\n    values:\n      - releases: [staging]\n    missingFileHandler: Warn\n', ''));
  const result = await runCli(['-C', citoidCheckout, 'import-staging', 'zotero', '--charts', dir, '--dry-run'], { env });
  t.is(result.exitCode, 2);
  t.regex(result.stderr, /helmfile\.d\/services\/zotero\/helmfile\.yaml:1: environment "staging" is not declared .*\nhint: environments declared: eqiad/);
});

test('a listener with no definition and no value to infer it from: exit 2 naming it', async (t) => {
  const dir = await chartsCopy();
  const file = path.join(dir, 'helmfile.d/services/zotero/values.yaml');
  await writeFile(file, `${await readFile(file, 'utf8')}discovery:\n  listeners: [nowhere]\n`);
  const result = await runCli(['-C', citoidCheckout, 'import-staging', 'zotero', '--charts', dir, '--dry-run'], { env });
  t.is(result.exitCode, 2);
  t.regex(result.stderr, /listener "nowhere" of zotero is not defined in the listener definitions/);
});

test('the default service is the one running the image the checkout publishes; a dry run writes nothing', async (t) => {
  const result = await runCli(['-C', citoidCheckout, 'import-staging', '--charts', charts, '--dry-run'], { env });
  t.is(result.exitCode, 0, result.stderr);
  t.regex(result.stdout, /citoid +built here \(production\)/);
  t.regex(result.stdout, /# \.pipeline\/devpipe\.yaml \(dry run: nothing written\)/);
  await t.throwsAsync(readFile(path.join(citoidCheckout, '.pipeline/devpipe.yaml'), 'utf8'));
});

test('--output outside the project: exit 2, nothing written', async (t) => {
  const result = await runCli(['-C', citoidCheckout, 'import-staging', 'citoid', '--charts', charts, '--output', '../escape.yaml'], { env });
  t.is(result.exitCode, 2);
  t.regex(result.stderr, /--output \.\.\/escape\.yaml is not a path inside the project/);
});

test('--general escaping the charts checkout: exit 2', async (t) => {
  const result = await runCli(['-C', citoidCheckout, 'import-staging', 'citoid', '--charts', charts, '--general', '../../../../etc/passwd', '--dry-run'], { env });
  t.is(result.exitCode, 2);
  t.regex(result.stderr, /is outside/);
});

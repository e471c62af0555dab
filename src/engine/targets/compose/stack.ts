/**
 * The Compose target's stack verbs: `up` (build, scan, render, deploy, wait until ready) and its
 * dry run, `down` (the deployer's down, then a sweep by label), `status`, `logs`, and the e2e suite
 * on the stack's network. Talks to ports only.
 */
import { stringify } from 'yaml';
import { DevpipeError } from '../../../errors.js';
import type { Engine } from '../../../ports.js';
import type { EventBus } from '../../events.js';
import { runId } from '../../run-id.js';
import { requireStackUp, runSuite } from '../../stack/e2e.js';
import { COMPOSE_FILE, composeText, SECRETS_DIR, STATE_DIR, stackTarget, writeSecretFiles } from '../../stack/files.js';
import { downStack, stackStatus } from '../../stack/manage.js';
import { LABEL_PROJECT, LABEL_ROLE, placeholderRefs, serviceUrls, stackModel } from '../../stack/model.js';
import { buildStackImages, upStack, type StackPorts } from '../../stack/up.js';
import type { DownResult, DryRun, E2eResult, LoadedStack, StatusResult, UpResult } from '../types.js';

export interface ComposePorts extends StackPorts {
  engine: Engine;
  bus: EventBus;
  revision(): Promise<string>;
  /** Runs `fn` holding the project lock (`up`, `down`, `dev`'s start never race). */
  withLock<T>(command: string, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T>;
  /** Removes what dead `ci` runs of the project left behind (best effort). */
  sweepDeadRuns(): Promise<void>;
  /** The target's name as the user chose it (to say the config's, e.g. in dry runs). */
  describeTarget: string;
}

export async function composeUp(ports: ComposePorts, stack: LoadedStack, signal: AbortSignal | undefined): Promise<UpResult> {
  const { config, secrets } = stack;
  // The engine and the checkout are asked while the builds compile (Compose is found while the
  // images build, see upStack); a spec error still comes first (exit 2), then an environment one.
  const around = Promise.all([ports.engine.info(), ports.revision()]);
  around.catch(() => undefined);
  const builds = await stack.compile({ withSuite: false });
  const [, revision] = await around;
  const summary = await ports.withLock('up', signal, () => upStack(ports, secrets.bus, { config, builds, secrets: secrets.resolved, revision, signal }));
  return {
    project: summary.model.project,
    services: summary.services.map((s) => ({ name: s.name, reach: s.urls.length > 0 ? s.urls : ['(no published port)'], image: s.image, kind: s.kind })),
    hints: [],
    targetFlag: '',
    data: { project: summary.model.project, composeFile: summary.target.file, services: summary.services },
  };
}

export async function composeDryRun(ports: ComposePorts, stack: LoadedStack): Promise<DryRun> {
  const { config, secrets } = stack;
  await stack.compile({ withSuite: false });
  const model = stackModel(config, placeholderRefs(config));
  const effective = {
    project: config.project,
    profile: config.profile,
    profiles: config.profiles,
    file: config.file ?? '(none: zero-config default)',
    settings: config.settings,
    services: config.services.map((s) => ({ ...s, urls: serviceUrls(s) })),
    e2e: config.e2e,
    secrets: config.secrets.map((s) => {
      const value = secrets.resolved.find((r) => r.name === s.name);
      return { name: s.name, from: value ? value.source : 'NO VALUE (up would fail)', value: value ? '[redacted]' : undefined };
    }),
  };
  const text = [
    `# effective config of ${config.file ?? 'the zero-config default'} with profile "${config.profile}" (target ${ports.describeTarget})`,
    stringify(JSON.parse(JSON.stringify(effective)), { lineWidth: 0 }).trimEnd(),
    '',
    `# .devpipe/stack/compose.yaml that up would write (secret values are never in it)`,
    composeText(model, ports.files.root).trimEnd(),
  ].join('\n');
  return { text, data: effective };
}

export async function composeDown(ports: ComposePorts, project: string, options: { volumes: boolean; images: boolean; signal?: AbortSignal | undefined }): Promise<DownResult> {
  await ports.engine.info();
  const hasFile = (await ports.files.read(COMPOSE_FILE)) !== undefined;
  await ports.sweepDeadRuns();
  const result = await ports.withLock('down', options.signal, () =>
    downStack(ports, ports.bus, project, hasFile ? stackTarget(ports.files.root, project) : undefined, { volumes: options.volumes, signal: options.signal }),
  );
  const images: string[] = [];
  if (options.images) {
    for (const image of await ports.images.list({ [LABEL_PROJECT]: project, [LABEL_ROLE]: 'stack' })) {
      await ports.images.remove(image.id, { force: true });
      images.push(image.tags[0] ?? image.id);
    }
  }
  await ports.files.remove(SECRETS_DIR);
  await ports.files.remove(`${STATE_DIR}/stack`);
  return {
    project,
    volumes: options.volumes,
    removedVolumes: result.volumes,
    releases: [],
    swept: result.swept,
    images,
    data: { project, swept: result.swept, volumes: options.volumes, removedVolumes: result.volumes, images },
  };
}

export async function composeStatus(ports: ComposePorts, project: string, config: LoadedStack['config'] | undefined): Promise<StatusResult> {
  await ports.engine.info();
  const rows = await stackStatus(ports.containers, project);
  return {
    project,
    rows: rows.map((row) => {
      const service = config?.services.find((s) => s.name === row.service);
      return { service: row.service, state: row.state, health: row.health, urls: service ? serviceUrls(service) : [], detail: row.status };
    }),
    targetFlag: '',
    data: { project, services: rows },
  };
}

export async function composeLogs(ports: ComposePorts, stack: LoadedStack, services: readonly string[], options: { follow: boolean; signal?: AbortSignal | undefined; onLine(line: string): void }): Promise<void> {
  const { config } = stack;
  if ((await ports.files.read(COMPOSE_FILE)) === undefined) {
    throw new DevpipeError('usage', `the stack ${config.project} is not up (no ${COMPOSE_FILE})`, { hint: 'run `devpipe up` first' });
  }
  await ports.deployer.logs(stackTarget(ports.files.root, config.project), { services, follow: options.follow, signal: options.signal, onLine: options.onLine });
}

export async function composeE2e(ports: ComposePorts, stack: LoadedStack, signal: AbortSignal | undefined): Promise<E2eResult> {
  const { config, secrets } = stack;
  await ports.engine.info();
  const builds = await stack.compile({ withSuite: true, onlySuite: true });
  const built = await buildStackImages(ports, secrets.bus, builds, secrets.resolved, {
    project: config.project,
    revision: await ports.revision(),
    fresh: config.settings.freshBuilds,
    concurrency: config.settings.buildConcurrency,
    signal,
  });
  const model = stackModel(config, new Map([...built].map(([key, image]) => [key, image.contentTag])));
  if ((await ports.files.read(COMPOSE_FILE)) === undefined) {
    throw new DevpipeError('usage', `the stack ${config.project} is not up (no ${COMPOSE_FILE})`, { hint: 'run `devpipe up` first, or `devpipe e2e --up`' });
  }
  await requireStackUp(ports.containers, model);
  await writeSecretFiles(ports.files, model, secrets.resolved);
  const run = runId();
  const result = await runSuite(ports, secrets.bus, model, stackTarget(ports.files.root, config.project), { run, secrets: secrets.resolved, redact: (text) => secrets.redactor.text(text), signal });
  return {
    project: config.project,
    run,
    exitCode: result.exitCode,
    durationMs: result.durationMs,
    reportDir: result.reportDir,
    targetFlag: '',
    data: { project: config.project, run, exitCode: result.exitCode, durationMs: result.durationMs, reportDir: result.reportDir },
  };
}

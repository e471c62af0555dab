/**
 * The composition root's second half: the ports the engine works through, built from the
 * Context's adapters (so tests that replace an adapter in a Context subclass reach every use):
 * the workspace, the deploy target (chosen here, and only here), the ci host.
 */
import path from 'node:path';
import type { Context, DockerAdapters } from './context.js';
import type { Workspace } from '../engine/project/workspace.js';
import type { DeployTarget, TargetName } from '../engine/targets/types.js';
import type { StackPorts } from '../engine/stack/up.js';
import type { ComposePorts } from '../engine/targets/compose/stack.js';
import type { KubePorts } from '../engine/targets/kube/target.js';
import type { CiHost } from '../engine/ci/host.js';
import type { ImageScanner } from '../ports.js';

export async function workspaceOf(ctx: Context): Promise<Workspace> {
  const [{ NodeProjectReader }, { readBuiltinProfiles }, { userSecretsFile, YamlSecretsFile }, { ignoreMatcher }, { displayPath }] = await Promise.all([
    import('../fs/project-reader.js'),
    import('../host/profiles.js'),
    import('../secrets/sources.js'),
    import('../docker/build-context.js'),
    import('../host/display.js'),
  ]);
  return {
    reader: new NodeProjectReader(ctx.projectDir),
    bus: ctx.bus,
    redactor: ctx.redactor,
    env: ctx.env,
    profile: ctx.options.profile,
    get overrides() {
      return ctx.overrides;
    },
    settings: () => ctx.settings(),
    builtinProfiles: () => readBuiltinProfiles(),
    secretsFile: (absolute, description, required) => new YamlSecretsFile(absolute, description, required),
    userSecretsFile: (project) => userSecretsFile(ctx.env, project),
    display: (absolute) => displayPath(absolute),
    ignoreMatcher: (patterns) => ignoreMatcher(patterns),
    withLock: (command, signal, fn, file) => ctx.withLock(command, signal, fn, file),
  };
}

/** The deploy target of this run. */
export async function deployTarget(ctx: Context, name: TargetName): Promise<DeployTarget> {
  if (name === 'minikube') {
    const [{ kubeTarget }, { kubeDryRunText }] = await Promise.all([import('../engine/targets/kube/index.js'), import('../ui/kube-dry-run.js')]);
    return kubeTarget(await kubePorts(ctx), ctx.redactor, (dry, timeoutMs) => kubeDryRunText(dry, { timeoutMs, root: ctx.projectDir }));
  }
  const [{ composeTarget }, { composeDevTarget }] = await Promise.all([import('../engine/targets/compose/index.js'), import('../engine/targets/compose/dev.js')]);
  const ports = await composePorts(ctx, name);
  return composeTarget(ports, async () => {
    const docker = await ctx.docker();
    await docker.engine.info();
    await ports.deployer.describe();
    return composeDevTarget({ ...ports, syncer: docker.syncer, replacer: docker.replacer }, ctx.bus);
  });
}

/** The stack ports on this machine's engine (Compose target). */
export async function stackPorts(ctx: Context): Promise<StackPorts> {
  // Compose is found while the command goes on (loads, compiles, checks the engine): not awaited here.
  const [docker, { DeferredDeployer }, files, scanner] = await Promise.all([ctx.docker(), import('../compose/compose.js'), ctx.projectFiles(), ctx.imageScanner()]);
  const deployer = new DeferredDeployer(ctx.compose());
  return { builder: docker.builder, images: docker.images, containers: docker.containers, deployer, files, scanner, pods: docker.pods, resources: docker.resources };
}

export async function composePorts(ctx: Context, describeTarget = 'compose'): Promise<ComposePorts> {
  const [docker, ports] = await Promise.all([ctx.docker(), stackPorts(ctx)]);
  return {
    ...ports,
    engine: docker.engine,
    bus: ctx.bus,
    revision: () => ctx.revision(),
    withLock: (command, signal, fn) => ctx.withLock(command, signal, fn),
    sweepDeadRuns: async () => {
      const { sweepDeadRuns } = await import('../host/owner.js');
      await sweepDeadRuns(ctx.projectDir, docker.containers, ctx.bus, (value) => ctx.redactor.value(value));
    },
    describeTarget,
  };
}

/** The kube target's ports: clients pinned per project, Docker here and inside minikube. */
export async function kubePorts(ctx: Context): Promise<KubePorts> {
  const [{ kubeTargetFor }, ws, files] = await Promise.all([import('../engine/targets/kube/target.js'), ctx.workspace(), ctx.projectFiles()]);
  const side = async (adapters: DockerAdapters, scanner: ImageScanner) => ({ engine: adapters.engine, builder: adapters.builder, images: adapters.images, scanner, containers: adapters.containers });
  return {
    setup: async (project) => {
      const { target, minikubeProfile } = kubeTargetFor(project, ctx.env, ctx.options.allowContext);
      const adapters = await ctx.kube();
      return { target, minikubeProfile, kubectl: adapters.kubectl(target), helm: adapters.helm(target), minikube: adapters.minikube(minikubeProfile ?? target.context), helmPresent: adapters.present.helm };
    },
    hostImages: async () => side(await ctx.docker(), await ctx.imageScanner()),
    clusterImages: async (env) => {
      const inside = await ctx.dockerAt(env);
      return side(inside, inside.scanner);
    },
    forward: async (setup, spec, signal, onEvent) => (await ctx.kube()).portForwarder(setup.kubectl).forward(spec, signal, onEvent),
    reader: ws.reader,
    files,
    bus: ctx.bus,
    revision: () => ctx.revision(),
  };
}

/** What a local ci run needs from this machine (both PipelineLib and GitLab). */
export async function ciHost(ctx: Context): Promise<CiHost> {
  const [ws, files, proc, docker, { FsRunRecords }, { currentOwner, sweepDeadRuns }, { readFile }, fs] = await Promise.all([
    ctx.workspace(),
    ctx.projectFiles(),
    ctx.process(),
    ctx.docker(),
    import('../fs/run-records.js'),
    import('../host/owner.js'),
    import('node:fs/promises'),
    import('node:fs'),
  ]);
  const { fileURLToPath } = await import('node:url');
  const kokkuriFile = fileURLToPath(new URL('../../templates/gitlab/kokkuri.yaml', import.meta.url));
  return {
    ws,
    records: new FsRunRecords(ctx.projectDir, (value) => ctx.redactor.value(value)),
    files,
    process: proc,
    engine: docker.engine,
    runnerPorts: async (registry) => ({
      builder: docker.builder,
      images: docker.images,
      containers: docker.containers,
      copier: docker.copier,
      imageFiles: docker.imageFiles,
      pusher: registry ? docker.pusher : undefined,
      kube: ctx.targetName(undefined) === 'minikube' ? (await import('../engine/targets/kube/deploy.js')).ciKubeDeployPort(await kubePorts(ctx), (await import('../spec/stack/index.js')).stackName(path.basename(ctx.projectDir)), ctx.bus) : undefined,
    }),
    revision: () => ctx.revision(),
    owner: currentOwner(),
    sweepDeadRuns: (project) => sweepDeadRuns(ctx.projectDir, docker.containers, ctx.bus, (value) => ctx.redactor.value(value), project),
    hostTrust: () => ctx.hostTrust(),
    settings: () => ctx.settings(),
    readLocalSync: (relative) => {
      const absolute = path.resolve(ctx.projectDir, relative);
      if (!absolute.startsWith(ctx.projectDir + path.sep) || !fs.existsSync(absolute)) return undefined;
      return fs.readFileSync(absolute, 'utf8');
    },
    kokkuri: async () => ({ file: 'devpipe:templates/gitlab/kokkuri.yaml', text: await readFile(kokkuriFile, 'utf8') }),
  };
}

/** What `doctor` asks this machine. */
export async function doctorHost(ctx: Context): Promise<import('../engine/doctor-facts.js').DoctorHost> {
  const [proc, docker, { existsSync }] = await Promise.all([ctx.process(), ctx.docker(), import('node:fs')]);
  return { process: proc, engine: docker.engine, foundVia: docker.foundVia, env: ctx.env, allowContext: ctx.options.allowContext, nodeVersion: process.versions.node, debian: existsSync('/etc/debian_version') };
}

/** What `import-staging` reads and writes on this machine. */
export async function stagingHost(ctx: Context): Promise<import('../engine/staging/local.js').StagingHost> {
  const [{ NodeTextTree }, { userSecretsFile }, { UserSecretsStore }, { stackName }, { randomBytes }, files] = await Promise.all([
    import('../fs/text-tree.js'),
    import('../secrets/sources.js'),
    import('../secrets/user-store.js'),
    import('../spec/stack/index.js'),
    import('node:crypto'),
    ctx.projectFiles(),
  ]);
  return {
    root: ctx.projectDir,
    tree: (dir) => new NodeTextTree(path.resolve(ctx.projectDir, dir)),
    files,
    secrets: new UserSecretsStore(userSecretsFile(ctx.env, stackName(path.basename(ctx.projectDir)))),
    fake: () => `fake-${randomBytes(18).toString('hex')}`,
  };
}

/** `-C DIR` must name a directory: a file or a missing path is a usage error (exit 2), not ENOTDIR. */
export async function checkProjectDir(dir: string, cwd: string): Promise<void> {
  const { stat } = await import('node:fs/promises');
  const absolute = path.resolve(cwd, dir);
  const info = await stat(absolute).catch((error: NodeJS.ErrnoException) => error);
  if (info instanceof Error) {
    const { DevpipeError } = await import('../errors.js');
    if ((info as NodeJS.ErrnoException).code === 'ENOENT' || (info as NodeJS.ErrnoException).code === 'ENOTDIR') throw new DevpipeError('usage', `-C ${dir}: no such directory (${absolute})`, { hint: 'pass the project directory (the one holding .pipeline/)', cause: info });
    throw new DevpipeError('environment', `-C ${dir}: cannot read ${absolute}: ${info.message}`, { cause: info });
  }
  if (!info.isDirectory()) {
    const { DevpipeError } = await import('../errors.js');
    throw new DevpipeError('usage', `-C ${dir}: ${absolute} is a file, not a directory`, { hint: 'pass the project directory (the one holding .pipeline/), not a file in it' });
  }
}

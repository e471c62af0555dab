/** Recording fakes of the stack ports: containers (by label), the deployer, project files, the scanner. */
import type {
  ContainerInfo,
  ContainerRunner,
  ImageScanner,
  LeakFinding,
  ProjectFiles,
  RunRequest,
  RunResult,
  StackDeployer,
  StackResources,
  StackTarget,
} from '../../src/ports.js';
import { loadStack, type StackConfig } from '../../src/spec/stack/index.js';

export class FakeContainers implements ContainerRunner {
  containers: ContainerInfo[] = [];
  readonly runs: RunRequest[] = [];
  readonly removed: string[] = [];
  /** What `run` answers: exit code and output lines. */
  runResult: { exitCode: number; lines: string[] } = { exitCode: 0, lines: [] };
  /** Called on each `list` (to make state change over time). */
  onList: ((self: FakeContainers) => void) | undefined;

  async run(request: RunRequest): Promise<RunResult> {
    this.runs.push(request);
    for (const line of this.runResult.lines) request.onOutput?.(line, 'stdout');
    return { containerId: `c${this.runs.length}`, exitCode: this.runResult.exitCode, tail: this.runResult.lines };
  }

  async copyOut(): Promise<void> {}

  /** Log lines `follow` answers per container id (then it waits for the signal). */
  logLines: Record<string, string[]> = {};

  async follow(id: string, options: { signal?: AbortSignal | undefined; onLine: (line: string, stream: 'stdout' | 'stderr') => void }): Promise<void> {
    for (const line of this.logLines[id] ?? []) options.onLine(line, 'stdout');
    if (options.signal && !options.signal.aborted) await new Promise((resolve) => options.signal?.addEventListener('abort', resolve, { once: true }));
  }

  async remove(id: string): Promise<void> {
    this.removed.push(id);
    this.containers = this.containers.filter((c) => c.id !== id);
  }

  /** Watches `watchChanges` opened (labels, and whether its signal has ended it). */
  readonly watches: { labels: Readonly<Record<string, string>>; onChange: () => void; signal: AbortSignal }[] = [];

  watchChanges(labels: Readonly<Record<string, string>>, onChange: () => void, signal: AbortSignal): void {
    this.watches.push({ labels, onChange, signal });
  }

  /** What the engine's events would say: a container changed (wakes every open watch). */
  changed(): void {
    for (const watch of this.watches) if (!watch.signal.aborted) watch.onChange();
  }

  async list(labels: Readonly<Record<string, string>>): Promise<ContainerInfo[]> {
    this.onList?.(this);
    return this.containers.filter((c) => Object.entries(labels).every(([k, v]) => (v ? c.labels[k] === v : k in c.labels)));
  }
}

export function container(project: string, service: string, state: string, status: string, role = 'stack'): ContainerInfo {
  return {
    id: `${project}-${service}`,
    name: `${project}-${service}-1`,
    image: 'x',
    state,
    status,
    labels: { 'devpipe.project': project, 'devpipe.service': service, 'devpipe.role': role },
  };
}

export class FakeDeployer implements StackDeployer {
  readonly calls: { method: string; target: StackTarget; options?: unknown }[] = [];
  logLines: Record<string, string[]> = {};
  upError: Error | undefined;

  async describe(): Promise<string> {
    return 'fake compose';
  }

  async up(target: StackTarget, options: { services?: readonly string[] | undefined } = {}): Promise<void> {
    this.calls.push({ method: 'up', target, ...(options.services ? { options: { services: options.services } } : {}) });
    if (this.upError) throw this.upError;
  }

  async down(target: StackTarget, options: { volumes: boolean }): Promise<void> {
    this.calls.push({ method: 'down', target, options });
  }

  async logs(target: StackTarget, options: { services?: readonly string[]; onLine: (line: string) => void }): Promise<void> {
    this.calls.push({ method: 'logs', target, options: { services: options.services } });
    for (const service of options.services ?? Object.keys(this.logLines)) for (const line of this.logLines[service] ?? []) options.onLine(line);
  }
}

export class MemoryFiles implements ProjectFiles {
  readonly files = new Map<string, { content: string; mode: number }>();
  constructor(readonly root = '/project') {}

  async write(relative: string, content: string, options: { mode?: number } = {}): Promise<string> {
    this.files.set(relative, { content, mode: options.mode ?? 0o644 });
    return `${this.root}/${relative}`;
  }

  async read(relative: string): Promise<string | undefined> {
    return this.files.get(relative)?.content;
  }

  async remove(relative: string): Promise<void> {
    for (const key of [...this.files.keys()]) if (key === relative || key.startsWith(`${relative}/`)) this.files.delete(key);
  }
}

export class FakeScanner implements ImageScanner {
  readonly scanned: string[] = [];
  findings: Record<string, LeakFinding[]> = {};

  async scan(ref: string): Promise<LeakFinding[]> {
    this.scanned.push(ref);
    return this.findings[ref] ?? [];
  }
}

/** Volumes and networks by label, recording removals. */
export class FakeResources implements StackResources {
  readonly volumeLabels = new Map<string, Record<string, string>>();
  readonly networkLabels = new Map<string, Record<string, string>>();
  readonly removed: string[] = [];

  #match(labels: Record<string, string>, wanted: Readonly<Record<string, string>>): boolean {
    return Object.entries(wanted).every(([k, v]) => labels[k] === v);
  }

  async volumes(labels: Readonly<Record<string, string>>): Promise<string[]> {
    return [...this.volumeLabels].filter(([, l]) => this.#match(l, labels)).map(([name]) => name);
  }

  async removeVolume(name: string): Promise<void> {
    this.volumeLabels.delete(name);
    this.removed.push(`volume ${name}`);
  }

  async networks(labels: Readonly<Record<string, string>>): Promise<{ id: string; name: string }[]> {
    return [...this.networkLabels].filter(([, l]) => this.#match(l, labels)).map(([name]) => ({ id: name, name }));
  }

  async removeNetwork(id: string): Promise<void> {
    this.networkLabels.delete(id);
    this.removed.push(`network ${id}`);
  }
}

/** A stack config from `devpipe.yaml` text (directory `demo`, no built-in profiles); throws on a bad one. */
export function stackConfig(text: string): StackConfig {
  const result = loadStack(text, 'devpipe.yaml', { directoryName: 'demo', builtins: [] });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value;
}

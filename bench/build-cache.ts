/**
 * Build of an unchanged variant (cache hit): `devpipe build` next to `docker build` of the same
 * Dockerfile and context (the docker CLI's classic builder, every step cached).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { median, type BenchSection } from './stats.js';

function time(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export async function buildCacheBench(root: string, runs = 7): Promise<BenchSection> {
  const bin = path.join(root, 'bin', 'devpipe.js');
  const project = mkdtempSync(path.join(tmpdir(), 'bench-hello-'));
  cpSync(path.join(root, 'fixtures', 'hello'), project, { recursive: true });
  const devpipe = (...args: string[]) => execFileSync(process.execPath, [bin, '-C', project, ...args], { stdio: 'pipe', env: { ...process.env, CI: 'true' } });
  // The Dockerfile docker builds: Blubber's own text (local paths at the context root).
  const dockerfile = path.join(project, 'bench.Dockerfile');
  const rendered = devpipe('render', 'production').toString().replaceAll('.devpipe-context/local/', './');
  writeFileSync(dockerfile, rendered);
  devpipe('build', 'production');
  execFileSync('docker', ['build', '-q', '-f', dockerfile, '-t', 'devpipe-bench/hello:docker', project], { stdio: 'pipe', env: { ...process.env, DOCKER_BUILDKIT: '0' } });
  const devpipeSamples: number[] = [];
  const dockerSamples: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      devpipeSamples.push(time(() => devpipe('build', 'production')));
      dockerSamples.push(time(() => execFileSync('docker', ['build', '-q', '-f', dockerfile, '-t', 'devpipe-bench/hello:docker', project], { stdio: 'pipe', env: { ...process.env, DOCKER_BUILDKIT: '0' } })));
    }
  } finally {
    // What the bench built: the project's images (by label) and the docker-built tag.
    const ids = execFileSync('docker', ['images', '-q', '--filter', `label=devpipe.project=${path.basename(project)}`]).toString().split('\n').filter(Boolean);
    execFileSync('docker', ['rmi', '-f', ...new Set(ids), 'devpipe-bench/hello:docker'], { stdio: 'ignore' });
  }
  const ours = median(devpipeSamples);
  const theirs = median(dockerSamples);
  return {
    name: 'unchanged variant (cache hit), fixtures/hello production',
    rows: [
      ['docker build (classic, all steps cached)', `${theirs.toFixed(0)} ms`, '1.00×'],
      ['devpipe build (content-addressed, no build)', `${ours.toFixed(0)} ms`, `${(ours / theirs).toFixed(2)}×`],
    ],
    metrics: { cacheHitDevpipeP50Ms: ours, cacheHitDockerBuildP50Ms: theirs },
  };
}

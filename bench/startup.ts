/** Startup: how fast `devpipe --help` and `devpipe --version` answer (heavy modules load lazily). */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { median, type BenchSection } from './stats.js';

export async function startup(root: string, runs = 15): Promise<BenchSection> {
  const bin = path.join(root, 'bin', 'devpipe.js');
  const time = (args: string[]) => {
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = process.hrtime.bigint();
      execFileSync(process.execPath, [bin, ...args], { stdio: 'ignore' });
      samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    return median(samples);
  };
  const bare = (() => {
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = process.hrtime.bigint();
      execFileSync(process.execPath, ['-e', '0'], { stdio: 'ignore' });
      samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    return median(samples);
  })();
  const help = time(['--help']);
  const version = time(['--version']);
  return {
    name: 'startup',
    rows: [
      ['node -e 0 (baseline)', `${bare.toFixed(0)} ms`, '1.00×'],
      ['devpipe --help', `${help.toFixed(0)} ms`, `${(help / bare).toFixed(2)}×`],
      ['devpipe --version', `${version.toFixed(0)} ms`, `${(version / bare).toFixed(2)}×`],
    ],
    metrics: { nodeBareP50Ms: bare, helpP50Ms: help, versionP50Ms: version },
  };
}

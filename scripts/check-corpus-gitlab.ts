/**
 * Dev script (not a test): plans every `.gitlab-ci.yml` of ../shared/corpus-gitlab (if present) as
 * `devpipe ci --plan` would, for three pipelines — a push to a feature branch, a push to the
 * protected default branch, and a protected tag — and prints each plan's job list (or the file's
 * located errors). Nothing may crash: an exception is reported as a bug and counted.
 *
 *   npx tsx scripts/check-corpus-gitlab.ts [corpus-dir] [--verbose]
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatIssue } from '../src/spec/issues.js';
import { loadGitlabConfig, matchesAny, planPipeline, type PipelineInput, type Plan } from '../src/spec/gitlab/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const verbose = args.includes('--verbose');
// The repository's sibling `shared/` (a checkout), or two levels up (a worktree under wt/).
const corpus = resolve(args.find((a) => !a.startsWith('--')) ?? [join(here, '..', '..', 'shared', 'corpus-gitlab'), join(here, '..', '..', '..', 'shared', 'corpus-gitlab')].find((d) => existsSync(d)) ?? join(here, '..', '..', 'shared', 'corpus-gitlab'));
const kokkuri = { file: 'devpipe:templates/gitlab/kokkuri.yaml', text: readFileSync(join(here, '..', 'templates', 'gitlab', 'kokkuri.yaml'), 'utf8') };

if (!existsSync(corpus)) {
  console.log(`no corpus at ${corpus}; nothing to check`);
  process.exit(0);
}

function listFiles(dir: string, base = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(dir, base))) {
    const rel = base ? `${base}/${entry}` : entry;
    if (statSync(join(dir, rel)).isDirectory()) out.push(...listFiles(dir, rel));
    else out.push(rel);
  }
  return out;
}

/** The MANIFEST's repository → the GitLab project path its mirror stands for. */
function projectPath(dirName: string): string {
  if (dirName.startsWith('wikimedia__blubber')) return 'repos/releng/blubber';
  if (dirName.startsWith('wikimedia__mediawiki-tools-scap')) return 'repos/releng/scap';
  if (dirName.startsWith('wikimedia__mediawiki-services-kask')) return 'repos/mediawiki/services/kask';
  if (dirName.includes('patchdemo')) return 'repos/test-platform/catalyst/patchdemo';
  return 'repos/wmde/wikidata-query-builder';
}

const counts = { files: 0, valid: 0, invalid: 0, crashed: 0, plans: 0, noPipeline: 0, jobs: 0, kokkuri: 0, script: 0, external: 0, jobErrors: 0, warnings: 0 };
const kinds = ['feature push', 'default branch (protected)', 'tag (protected)'] as const;
const perKind: Record<string, { created: number; jobs: number }> = Object.fromEntries(kinds.map((k) => [k, { created: 0, jobs: 0 }]));

for (const name of readdirSync(corpus).sort()) {
  const dir = join(corpus, name);
  const file = join(dir, '.gitlab-ci.yml');
  if (!statSync(dir).isDirectory() || !existsSync(file)) continue;
  counts.files++;
  try {
    const files = listFiles(dir);
    const read = (p: string) => (existsSync(join(dir, p)) ? readFileSync(join(dir, p), 'utf8') : undefined);
    const loaded = loadGitlabConfig({ file: `${name}/.gitlab-ci.yml`, text: readFileSync(file, 'utf8'), kokkuri, readLocal: read });
    counts.warnings += loaded.warnings.length;
    if (!loaded.ok) {
      counts.invalid++;
      console.log(`✘ ${name}`);
      for (const e of loaded.errors) console.log(`    ${formatIssue(e)}`);
      continue;
    }
    counts.valid++;
    const defaultBranch = /scap|kask/.test(name) && !name.includes('@fcf5615') ? 'master' : 'main';
    const base: PipelineInput = { source: 'push', defaultBranch, protected: false, sha: '0123456789abcdef0123456789abcdef01234567', projectPath: projectPath(name), serverFqdn: 'gitlab.wikimedia.org', repositoryUrl: `https://gitlab.wikimedia.org/${projectPath(name)}.git`, startedAt: new Date('2026-11-30T08:00:00Z'), pipelineId: 4242 };
    const pipelines: Record<(typeof kinds)[number], PipelineInput> = {
      'feature push': { ...base, branch: 'feature-x' },
      'default branch (protected)': { ...base, branch: defaultBranch, protected: true },
      'tag (protected)': { ...base, tag: 'v1.2.3', protected: true },
    };
    const lines: string[] = [];
    for (const kind of kinds) {
      const plan: Plan = planPipeline({ config: loaded.value, pipeline: pipelines[kind], cliVariables: {}, changes: { kind: 'all', reason: 'corpus check' }, exists: (g) => matchesAny([g], files) !== undefined, readFile: read });
      counts.plans++;
      if (!plan.created) {
        counts.noPipeline++;
        lines.push(`    ${kind}: ${plan.reason}`);
        continue;
      }
      perKind[kind]!.created++;
      perKind[kind]!.jobs += plan.jobs.length;
      counts.jobs += plan.jobs.length;
      for (const job of plan.jobs) counts[job.kind]++;
      counts.jobErrors += plan.errors.length;
      lines.push(`    ${kind}: ${plan.jobs.length} job(s): ${plan.jobs.map((j) => `${j.name} [${j.kind === 'kokkuri' ? j.action?.template ?? 'ERROR' : j.kind}]`).join(', ') || '(none)'}`);
      for (const e of plan.errors) lines.push(`      error: ${e}`);
      if (verbose) for (const s of plan.skipped) lines.push(`      not: ${s.name}: ${s.reason}`);
    }
    console.log(`✔ ${name}${loaded.warnings.length ? ` (${loaded.warnings.length} warning(s))` : ''}`);
    for (const line of lines) console.log(line);
  } catch (error) {
    counts.crashed++;
    console.log(`💥 ${name}: BUG: ${(error as Error).stack}`);
  }
}
console.log('\nsummary:', JSON.stringify(counts));
console.log('per pipeline kind:', JSON.stringify(perKind));
process.exit(counts.crashed > 0 ? 70 : 0);

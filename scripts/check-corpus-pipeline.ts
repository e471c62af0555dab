/**
 * Dev script (not a test): loads every `.pipeline/config.yaml` of ../shared/corpus (if present),
 * validates it, and prints each pipeline's frames, or the file's located errors; then reports the
 * Blubber files referenced but missing. Nothing may crash: an exception is itself reported as a
 * bug and counted.
 *
 *   npx tsx scripts/check-corpus-pipeline.ts [corpus-dir]
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatIssue } from '../src/spec/issues.js';
import { parseYaml } from '../src/spec/yaml.js';
import { preflight } from '../src/engine/ci/preflight.js';
import { NodeProjectReader } from '../src/fs/project-reader.js';
import { DevpipeError } from '../src/errors.js';
import { blubberFilesNeeded, checkMode, findStage, graphText, loadPipelineConfig, missingBlubberFiles, selectPipelines, skippedLines, type PipelineConfig, type Selection } from '../src/spec/pipeline/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const corpus = resolve(process.argv[2] ?? join(here, '..', '..', 'shared', 'corpus'));

function findConfigs(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...findConfigs(path));
    else if (entry === 'config.yaml' && dirname(path).endsWith('.pipeline')) out.push(path);
  }
  return out.sort();
}

if (!existsSync(corpus)) {
  console.log(`no corpus at ${corpus}; nothing to check`);
  process.exit(0);
}

const counts = { files: 0, valid: 0, invalid: 0, crashed: 0, pipelines: 0, warnings: 0, missingBlubber: 0, missingVariants: 0, privileged: 0, ciRuns: 0, ciRefused: 0, ciNothing: 0, ciSkipped: 0 };

/** Build variants (literal or `${.stage}`) that the Blubber file does not define: a cross-check, not a spec rule. */
function missingVariants(config: PipelineConfig, repoRoot: string): string[] {
  const out: string[] = [];
  for (const need of blubberFilesNeeded(config)) {
    const path = join(repoRoot, need.repoPath);
    if (!existsSync(path)) continue;
    const parsed = parseYaml(readFileSync(path, 'utf8'), need.repoPath, { dialect: 'go-yaml-v2' });
    if (!parsed.ok) {
      out.push(`${need.repoPath} is not valid YAML (${parsed.errors.length} error(s)), used by pipeline ${need.pipeline}`);
      continue;
    }
    const value = parsed.value as { variants?: Record<string, unknown> } | null;
    const variants = Object.keys(value?.variants ?? {});
    const pipeline = config.pipelines.find((p) => p.name === need.pipeline);
    for (const stageName of need.stages) {
      const build = pipeline && findStage(pipeline, stageName)?.build;
      if (!build || typeof build.variant !== 'string') continue;
      const variant = build.variant === '${.stage}' ? stageName : build.variant;
      if (variant.includes('${') || variants.includes(variant)) continue;
      out.push(`pipeline ${need.pipeline}, stage ${stageName}: variant \`${variant}\` is not in ${need.repoPath} (has: ${variants.join(', ')})`);
    }
  }
  return out;
}
/**
 * What `devpipe ci` (no pipeline name, test mode) decides before the engine: the pipelines it
 * runs and skips, or why it refuses (exit 2). Semantics are checked for the selected pipelines
 * only, as in CI; the Blubber files and variants of those pipelines are checked too.
 */
async function defaultCiVerdict(text: string, shown: string, repoRoot: string): Promise<void> {
  let selection: Selection | undefined;
  try {
    const loaded = loadPipelineConfig(text, shown, {
      select: (config) => {
        selection = selectPipelines(config, [], 'test');
        return selection.run;
      },
    });
    if (!loaded.ok || !selection) {
      if (loaded.ok) throw new Error('no selection for a valid file');
      counts.ciRefused++;
      console.log(`  devpipe ci: refused (exit 2): ${loaded.ok ? 'no selection' : loaded.errors.map(formatIssue).join('; ')}`);
      return;
    }
    const checked = await preflight(new NodeProjectReader(repoRoot), loaded.value, selection.run, 'test');
    counts.ciSkipped += selection.skipped.length;
    if (checked.errors.length > 0) {
      counts.ciRefused++;
      console.log(`  devpipe ci: refused (exit 2): ${checked.errors.map(formatIssue).join('; ')}`);
      return;
    }
    counts.ciRuns++;
    console.log(`  devpipe ci: runs ${selection.run.join(', ')}${selection.skipped.length ? `; ${skippedLines(selection, 'test').join('; ')}` : ''}`);
  } catch (error) {
    if (!(error instanceof DevpipeError) || error.kind !== 'usage') throw error;
    counts.ciNothing++;
    console.log(`  devpipe ci: nothing to run in test mode (exit 2): ${error.message}`);
  }
}

for (const path of findConfigs(corpus)) {
  counts.files++;
  const shown = relative(corpus, path);
  try {
    const result = loadPipelineConfig(readFileSync(path, 'utf8'), shown);
    console.log(`\n== ${shown}: ${result.ok ? 'valid' : `${result.errors.length} error(s)`}`);
    for (const warning of result.warnings) console.log(`  ${formatIssue(warning)}`);
    counts.warnings += result.warnings.length;
    await defaultCiVerdict(readFileSync(path, 'utf8'), shown, dirname(dirname(path)));
    if (!result.ok) {
      counts.invalid++;
      for (const error of result.errors) console.log(`  ${formatIssue(error)}`);
      continue;
    }
    counts.valid++;
    for (const pipeline of result.value.pipelines) {
      counts.pipelines++;
      console.log(`  pipeline ${pipeline.name}:`);
      for (const line of graphText(pipeline).split('\n')) console.log(`    ${line}`);
    }
    const repoRoot = dirname(dirname(path));
    const missing = missingBlubberFiles(result.value, (repoPath) => existsSync(join(repoRoot, repoPath)));
    counts.missingBlubber += missing.length;
    for (const issue of missing) console.log(`  missing: ${formatIssue(issue)}`);
    const variants = missingVariants(result.value, repoRoot);
    counts.missingVariants += variants.length;
    for (const line of variants) console.log(`  variant: ${line}`);
    const privileged = new Set(checkMode(result.value, 'test').map((i) => i.path.split('.')[1]));
    counts.privileged += privileged.size;
    if (privileged.size > 0) console.log(`  needs --mode gate/postmerge: ${[...privileged].join(', ')}`);
  } catch (error) {
    counts.crashed++;
    console.log(`\n== ${shown}: CRASH (a bug in devpipe): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
}

console.log(
  `\n${counts.files} config.yaml files: ${counts.valid} valid (${counts.pipelines} pipelines), ${counts.invalid} invalid, ${counts.crashed} crashed; ` +
    `${counts.warnings} warning(s); ${counts.missingBlubber} missing Blubber file(s); ${counts.missingVariants} variant(s) not found; ` +
    `${counts.privileged} pipeline(s) refused in test mode (publish/promote/deploy/trigger)\n` +
    `devpipe ci (no name, test mode): runs on ${counts.ciRuns} files (${counts.ciSkipped} pipelines skipped and listed), refuses ${counts.ciRefused}, nothing to run on ${counts.ciNothing}`,
);
process.exit(counts.crashed > 0 ? 1 : 0);

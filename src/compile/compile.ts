/**
 * Blubber variant → CompiledBuild: the stage plan (dependencies first), the typed instruction
 * list of every stage, the Dockerfile text, and what the image builder needs beside it (extra
 * context entries, build args, whether BuildKit is required, the external images referenced).
 */
import type { ContextEntry } from '../ports.js';
import { issueFor } from '../spec/blubber/expand.js';
import { planStages, type BlubberConfig, type ExpandedVariant } from '../spec/blubber/index.js';
import type { SpecIssue, SpecResult } from '../spec/issues.js';
import { SpecError } from '../spec/issues.js';
import { newContext } from './context.js';
import { takeHelpers } from './copies.js';
import type { Stage } from './instructions.js';
import { compileStage, SCRATCH } from './phases.js';
import { renderDockerfile } from './render.js';

export interface CompileOptions {
  /** `--build-arg` overrides (declared `arguments`, LIVES_UID, …). */
  buildArgs?: Readonly<Record<string, string>>;
  /** The `blubber.version` label value; `devpipe` by default. */
  version?: string;
  /** How builder scripts run: `mount` (BuildKit bind mount, default) or `copy` (classic builder). */
  scripts?: 'mount' | 'copy';
  /**
   * `project` (default): local paths as Blubber writes them, the project at the context root.
   * `views`: local paths read from mirrored views under `.devpipe-context/local/` (what
   * `devpipe build` sends: exactly the files used, nothing generated leaks into `COPY . …`).
   */
  localContext?: 'views' | 'project';
}

export interface CompiledBuild {
  /** The variant asked for. */
  variant: string;
  /** The stage to build (`--target`): the final stage, named after the variant. */
  target: string;
  /** Every stage, dependencies and helper stages first, with its typed instructions. */
  stages: Stage[];
  dockerfile: string;
  /** True only when a feature needs BuildKit (RUN --mount for caches, mounts, scripts). */
  buildkit: boolean;
  /** Generated files and filtered views to add to the build context. */
  extraEntries: ContextEntry[];
  /** Whether the project directory must be sent at the context root (`localContext: 'project'`). */
  sendProject: boolean;
  /** Declared argument defaults (all stages) merged with the overrides given. */
  buildArgs: Record<string, string>;
  /** External images referenced (FROM bases, COPY --from, mounts): check they exist locally. */
  baseImages: string[];
  /** The `LABEL`s of the final image. */
  labels: Record<string, string>;
  warnings: SpecIssue[];
}

function scratchWarnings(config: BlubberConfig, variant: ExpandedVariant): SpecIssue[] {
  if (variant.base !== undefined) return [];
  const ignored: string[] = [];
  if (variant.builders?.length || variant.node || variant.python || variant.php || variant.builder) ignored.push('builders');
  if (Object.values(variant.apt.packages).some((list) => list.length > 0)) ignored.push('apt packages');
  if (Object.keys(variant.runs.environment).length > 0) ignored.push('runs.environment');
  if (ignored.length === 0) return [];
  const issue = issueFor(config, ['variants', variant.name], `variant "${variant.name}" has no base image (FROM scratch), so its ${ignored.join(', ')} are ignored`, 'set `base:` (here, at the top level or in an include) if they should run; scratch variants only get copies and the entrypoint');
  return [{ ...issue, severity: 'warning' }];
}

/**
 * A custom builder with requirements but no command or script: Blubber >= v1.3.0 copies the
 * requirements (devpipe does too, see docs/blubber.md); Blubber <= v1.2 skipped the whole builder.
 */
function requirementsOnlyWarnings(config: BlubberConfig, variant: ExpandedVariant): SpecIssue[] {
  const customs = [
    ...(variant.builder ? [{ builder: variant.builder, at: 'builder' }] : []),
    ...(variant.builders ?? []).flatMap((entry, i) => (entry.custom ? [{ builder: entry.custom, at: `builders[${i}].custom` }] : [])),
  ];
  return customs
    .filter(({ builder }) => (builder.requirements?.length ?? 0) > 0 && builder.command === undefined && builder.script === undefined)
    .map(({ at }) => ({
      ...issueFor(config, ['variants', variant.name], `variant "${variant.name}": ${at} has requirements but no command or script; they are copied (Blubber >= v1.3.0), while Blubber <= v1.2 and the v0.x Dockerfile compiler skipped such a builder entirely`, 'if CI builds with an older Blubber frontend, the files are not there in CI; add a command (e.g. `command: [true]`) to be explicit'),
      severity: 'warning' as const,
    }));
}

/** Compiles a variant of a loaded Blubber config. */
export function compileVariant(config: BlubberConfig, variantName: string, options: CompileOptions = {}): SpecResult<CompiledBuild> {
  const plan = planStages(config, variantName);
  if (!plan.ok) return plan;
  const variants = new Map(plan.value.map((v) => [v.name, v]));
  const ctx = newContext(config, variants, options.buildArgs ?? {}, options.scripts ?? 'mount', options.localContext ?? 'project');

  const stages: Stage[] = [];
  for (const variant of plan.value) {
    const stage = compileStage(ctx, variant);
    stages.push(...takeHelpers(ctx), stage);
  }
  const labels = { 'blubber.variant': variantName, 'blubber.version': options.version ?? 'devpipe' };
  const final = stages[stages.length - 1];
  if (final) final.instructions.push({ kind: 'label', labels: Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)) });

  const stageNames = new Set(stages.map((s) => s.name));
  const baseImages: string[] = [];
  for (const image of [...stages.map((s) => s.base), ...ctx.images]) {
    if (image !== SCRATCH && !stageNames.has(image) && !baseImages.includes(image)) baseImages.push(image);
  }
  const buildArgs: Record<string, string> = {};
  for (const variant of plan.value) if (variant.base !== undefined) Object.assign(buildArgs, variant.arguments);
  Object.assign(buildArgs, options.buildArgs ?? {});

  const warnings = [...plan.warnings, ...plan.value.flatMap((v) => [...scratchWarnings(config, v), ...requirementsOnlyWarnings(config, v)]), ...ctx.warnings];
  return {
    ok: true,
    value: {
      variant: variantName,
      target: variantName,
      stages,
      dockerfile: renderDockerfile(stages),
      buildkit: ctx.buildkit,
      extraEntries: ctx.entries,
      sendProject: ctx.localContext === 'project',
      buildArgs,
      baseImages,
      labels,
      warnings,
    },
    warnings,
  };
}

/** compileVariant for callers that want a thrown SpecError (exit code 2) instead of a result. */
export function compileVariantOrThrow(config: BlubberConfig, variantName: string, options: CompileOptions = {}): CompiledBuild {
  const result = compileVariant(config, variantName, options);
  if (!result.ok) throw new SpecError(result.errors);
  return result.value;
}

/**
 * python: only when both `version` and `requirements` (even `[]`) are set. COPY requirements,
 * create the venv with the system interpreter, put it first on PATH, install core packages
 * (setuptools != 60.9.0 by default, wheel, tox, pip; pip<21 for python2), then either
 * `pip install -r …` (pip mode; `--no-deps` adds a post-install `pip check`) or Poetry
 * (`poetry.version` set).
 */
import { effectiveDestination, type PythonBuilder } from '../../spec/blubber/index.js';
import type { CompileContext } from '../context.js';
import { requirementCopies } from '../copies.js';
import { env, run, shell, type Instruction } from '../instructions.js';
import type { BuilderSteps } from './types.js';

export const DEFAULT_VENV = '/opt/lib/venv';
export const POETRY_VENVS = '/opt/lib/poetry';

/** A bare version starting with a digit means `==X`; anything else is a specifier as written. */
export function pinned(name: string, version: string | undefined): string {
  if (version === undefined || version === '') return name;
  return /^[0-9]/.test(version) ? `${name}==${version}` : `${name}${version}`;
}

export function pythonSteps(ctx: CompileContext, python: PythonBuilder): BuilderSteps {
  const version = python.version;
  const requirements = python.requirements;
  if (version === undefined || version === '' || requirements === undefined) return { pre: [], post: [] };
  const venv = python.venv !== undefined && python.venv !== '' ? python.venv : DEFAULT_VENV;
  const poetry = python.poetry?.version !== undefined && python.poetry.version !== '' ? python.poetry : undefined;
  const pipVersion = python['pip-version'] ?? (version.startsWith('python2') ? '<21' : undefined);

  const pre: Instruction[] = [...requirementCopies(ctx, requirements)];
  pre.push(run([shell(version, '-m', 'venv', venv, ...(python['use-system-site-packages'] ? ['--system-site-packages'] : []))]));
  pre.push(env({ PATH: `${venv}/bin:$PATH`, VIRTUAL_ENV: venv }) as Instruction);
  pre.push(
    run([
      shell(version, '-m', 'pip', 'install', '-U', pinned('setuptools', python['setuptools-version'] ?? '!=60.9.0')),
      shell(version, '-m', 'pip', 'install', '-U', pinned('wheel', python['wheel-version']), pinned('tox', python['tox-version']), pinned('pip', pipVersion)),
    ]),
  );
  const post: Instruction[] = [];
  if (poetry) {
    pre.push(env({ POETRY_VIRTUALENVS_PATH: POETRY_VENVS }) as Instruction);
    pre.push(run([shell(version, '-m', 'pip', 'install', '-U', `poetry${poetry.version ?? ''}`)]));
    pre.push(run([shell('mkdir -p', POETRY_VENVS)]));
    if (requirements.length > 0) {
      const flags = ['--no-root'];
      if (poetry.only) flags.push('--only', poetry.only);
      if (poetry.without) flags.push('--without', poetry.without);
      if (!poetry.only && !poetry.without && !poetry.devel) flags.push('--no-dev');
      pre.push(run([shell('poetry', 'install', ...flags)]));
    }
  } else {
    if (requirements.length > 0) {
      const files = requirements.flatMap((r) => ['-r', effectiveDestination(r)]);
      pre.push(run([shell(version, '-m', 'pip', 'install', ...(python['no-deps'] ? ['--no-deps'] : []), ...files)]));
    }
    if (python['no-deps']) post.push(run([shell(version, '-m', 'pip', 'check')]));
  }
  return { pre, post };
}

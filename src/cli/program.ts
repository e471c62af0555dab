/**
 * The command-line contract: global flags and every command, defined here without loading any
 * command's implementation (each action imports its module on demand, so `--help` stays fast).
 */
import { Command, Option } from 'commander';
import { DevpipeError } from '../errors.js';
import type { GlobalOptions } from './context.js';

export type Action = (globals: GlobalOptions, args: unknown[], options: Record<string, unknown>) => Promise<number>;
export type Dispatch = (module: string, globals: GlobalOptions, args: unknown[], options: Record<string, unknown>) => Promise<number>;

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function keyValue(flag: string) {
  return (value: string, previous: string[] = []): string[] => {
    if (!/^[^=]+=/.test(value)) {
      throw new DevpipeError('usage', `${flag} expects KEY=VALUE, got "${value}"`, { hint: `for example ${flag} VERSION=1.2` });
    }
    return [...previous, value];
  };
}

export interface ProgramOutput {
  writeOut(text: string): void;
  writeErr(text: string): void;
}

export function buildProgram(version: string, dispatch: Dispatch, setExit: (code: number) => void, output?: ProgramOutput): Command {
  const program = new Command('devpipe');
  // Before any `.command()`: subcommands copy these settings when they are created, so a usage
  // error of a subcommand (missing argument, unknown option, bad choice) throws instead of
  // calling process.exit(1) inside commander; main maps it to exit 2.
  program.exitOverride();
  if (output) program.configureOutput(output);
  program
    .description("Run your team's deployment pipeline on a laptop: Blubber builds, PipelineLib stages, a local staging copy with fake secrets, e2e and a watch loop.")
    .version(version, '-V, --version')
    .option('-C, --dir <dir>', 'project directory (default: the current directory)')
    .option('--json', 'machine-readable output: NDJSON events, one per line')
    .option('--verbose', 'show full logs and stack traces')
    .option('--no-color', 'disable colours (also: NO_COLOR)')
    .option('--profile <name>', 'overlay a profile (built-in: compose, minikube, ci; or one from .pipeline/devpipe.yaml)')
    .addOption(new Option('--target <target>', 'where the local stack runs').choices(['compose', 'minikube']))
    .option('--ca-file <file>', 'a CA bundle (PEM) every build step and ci/e2e/test container trusts, never stored in an image (also: DEVPIPE_CA_FILE)')
    .option('--allow-context <name>', 'with --target minikube: use this kube context instead of minikube\'s (explicit opt-in for non-local clusters)')
    .showHelpAfterError('(run `devpipe --help` for usage)')
    .configureHelp({ sortSubcommands: false });

  const run = (module: string) =>
    async function (this: Command, ...rest: unknown[]) {
      const command = rest[rest.length - 1] as Command;
      const options = command.opts();
      const args = rest.slice(0, -2);
      const globals = command.optsWithGlobals() as GlobalOptions;
      setExit(await dispatch(module, { ...globals, json: globals.json === true, verbose: globals.verbose === true, color: globals.color !== false }, args, options));
    };

  program
    .command('doctor')
    .description('check the Docker engine, Compose, minikube/kubectl/helm and Node; exit 3 with the fix when the target cannot work')
    .action(run('doctor'));

  program
    .command('render')
    .description('print the Dockerfile devpipe compiles from a Blubber variant (no engine needed)')
    .argument('<variant>', 'Blubber variant')
    .option('--blubber <file>', 'Blubber file', '.pipeline/blubber.yaml')
    .option('--build-arg <K=V>', 'override a declared argument (repeatable)', keyValue('--build-arg'), [])
    .option('--ci', "the Dockerfile as Blubber emits it in CI: local paths as written, the bases the repository names (buildable with `docker build` on the repository)")
    .action(run('render'));

  program
    .command('build')
    .description('build Blubber variants into local images; prints each image ID and tag')
    .argument('<variant...>', 'Blubber variants to build')
    .option('--blubber <file>', 'Blubber file', '.pipeline/blubber.yaml')
    .option('--tag <name:tag>', 'extra tag for the built image (repeatable; with several variants, {variant} is replaced)', collect, [])
    .option('--build-arg <K=V>', 'override a declared argument (repeatable)', keyValue('--build-arg'), [])
    .option('--no-cache', 'do not use the build cache')
    .option('--pull', 'pull base images even when they exist locally')
    .action(run('build'));

  program
    .command('ci')
    .description('run .pipeline/config.yaml pipelines locally with PipelineLib semantics, or the Kokkuri jobs of a .gitlab-ci.yml (docs/gitlab.md)')
    .argument('[pipeline...]', 'pipelines to run (default: all, one after another)')
    .addOption(new Option('--ci <kind>', 'which CI definition when both exist (default: .pipeline/config.yaml)').choices(['gitlab', 'pipelinelib']))
    .option('--plan', 'GitLab: print which jobs this pipeline would run and the rule that decided for every other job; build nothing')
    .addOption(new Option('--source <source>', 'GitLab: CI_PIPELINE_SOURCE (tag = a tag push)').choices(['push', 'merge_request_event', 'tag', 'schedule', 'web', 'api', 'trigger', 'pipeline', 'parent_pipeline']))
    .option('--branch <name>', 'GitLab: the branch pushed (default: the checkout\'s branch)')
    .option('--tag <name>', 'GitLab: a tag pipeline for this tag')
    .option('--target-branch <name>', 'GitLab: the merge request target (with --source merge_request_event; default: the default branch)')
    .option('--default-branch <name>', 'GitLab: CI_DEFAULT_BRANCH (default: origin/HEAD, else main or master)')
    .option('--protected', 'GitLab: the ref is protected (default: tags and the default branch)')
    .option('--no-protected', 'GitLab: the ref is not protected')
    .option('--var <K=V>', 'GitLab: set a variable above every variable of the file (repeatable)', keyValue('--var'), [])
    .option('--project-path <path>', 'GitLab: CI_PROJECT_PATH (default: from the origin remote)')
    .option('--changed <path>', 'GitLab: a changed file for rules:changes (repeatable; default: the files of the last commit)', collect, [])
    .option('--changes-from <rev>', 'GitLab: compare with this revision for rules:changes (default: HEAD~1)')
    .option('--run <job>', 'GitLab: also run this manual job (repeatable)', collect, [])
    .addHelpText(
      'after',
      '\nGitLab CI (docs/gitlab.md): devpipe\'s choices where Kokkuri is silent, each overridable with --var:\n' +
        '  local tags are localhost/<PUBLISH_IMAGE_NAME>:<tag> (DEVPIPE_LOCAL_REGISTRY); PUBLISH_IMAGE_TAG defaults to the ref name;\n' +
        '  empty items of PUBLISH_IMAGE_EXTRA_TAGS are dropped; dotenv prefixes map every character outside [A-Za-z0-9_] to _\n' +
        '  (publish-dist: [bookworm] -> PUBLISH_DIST___BOOKWORM__IMAGE_REF); KOKKURI_PIPELINE_TIMESTAMP is YYYY-MM-DD-HHMMSS (UTC);\n' +
        '  the Blubber file is DEVPIPE_BLUBBER_CONFIG (.pipeline/blubber.yaml), the bake file DEVPIPE_BAKE_FILE (bake.hcl).',
    )
    .addOption(new Option('--mode <mode>', "CI's action allow-list").choices(['test', 'gate', 'postmerge']).default('test'))
    .option('--param <K=V>', 'set setup.params.K (repeatable)', keyValue('--param'), [])
    .option('--rerun [run]', 'rerun a recorded run (default: the last one)')
    .option('--from <stage>', 'with --rerun: start from this stage (GitLab: job), reusing recorded bindings of its ancestors')
    .option('--graph [format]', 'print the execution graph and exit: frames and DOT (default), `text` (frames only) or `dot` (Graphviz DOT only, e.g. --graph=dot | dot -Tsvg)')
    .option('--keep', 'keep containers and images for inspection (no teardown)')
    .option('--no-cache', 'build every image from scratch and run every stage, even those that passed before with the same image, command and environment')
    .option('--pull', 'pull base images even when they exist locally (imagePullPolicy: always never pulls otherwise)')
    .option('--secrets <file>', 'fake secret values for run.credentials (YAML map id: value)')
    .option('--registry <host>', 'push published images to this registry (default: tag locally only)')
    .action(run('ci'));

  program
    .command('up')
    .description('build and start the local staging copy (docker compose by default)')
    .option('--dry-run', 'print the effective config and what would be deployed, then exit (refuses what up would refuse)')
    .option('--blubber <file>', 'zero-config: the Blubber file (default .pipeline/blubber.yaml, else the blubberfile of .pipeline/config.yaml)')
    .option('--variant <variant>', 'zero-config: the Blubber variant to run (default production)')
    .option('--port <port>', "zero-config: the port the service listens on, published on the same host port, or HOST:CONTAINER (default: its chart values' main_app.port)")
    .option('--secrets <file>', 'fake secret values (overrides devpipe.yaml and the user config)')
    .option('--forward', 'with --target minikube: keep localhost:HOST forwarded to each published port (reconnects after redeploys) until Ctrl-C')
    .action(run('up'));

  program
    .command('down')
    .description('remove everything devpipe started for this project')
    .option('--volumes', 'also remove named volumes')
    .option('--images', 'also remove the images devpipe built for the stack (they are kept as build cache otherwise)')
    .action(run('down'));

  program.command('status').description('show the services of the local stack').action(run('status'));

  program
    .command('logs')
    .description('show service logs')
    .argument('[service...]', 'services (default: all)')
    .option('-f, --follow', 'follow the logs')
    .action(run('logs'));

  program
    .command('e2e')
    .description('run the e2e suite against the local stack')
    .option('--up', 'bring the stack up first')
    .option('--secrets <file>', 'fake secret values (overrides devpipe.yaml and the user config)')
    .action(run('e2e'));

  program
    .command('dev')
    .description('watch: rebuild, redeploy and test as files change')
    .option('--e2e', 'run the e2e suite after every deploy (key e runs it on demand)')
    .option('--blubber <file>', 'zero-config: the Blubber file (default .pipeline/blubber.yaml, else the blubberfile of .pipeline/config.yaml)')
    .option('--variant <variant>', 'zero-config: the Blubber variant to run (default production)')
    .option('--port <port>', "zero-config: the port the service listens on, published on the same host port, or HOST:CONTAINER (default: its chart values' main_app.port)")
    .option('--down-on-exit', 'take the stack down when the loop exits')
    .option('--test-variant <variant>', 'the Blubber variant run as unit tests after each rebuild (default: test, when it exists)')
    .option('--no-test', 'do not run unit tests after rebuilds')
    .option('--no-sync', 'always rebuild; never copy changed files into running containers')
    .option('--restart-after-sync', 'restart every service\'s process after copying changed files into it (the default unless a service declares sync: {restart: false})')
    .option('--no-restart-after-sync', 'never restart after a sync (for servers that reload changed files themselves)')
    .option('--no-logs', 'do not stream service logs')
    .option('--secrets <file>', 'fake secret values (overrides devpipe.yaml and the user config)')
    .action(run('dev'));

  program
    .command('prune')
    .description("remove this project's old content-addressed image tags, stopped devpipe containers and dangling build images")
    .option('--dry-run', 'say what would be removed and how much space, remove nothing')
    .option('--keep <n>', 'content-addressed images kept per variant, newest first (default 1)', '1')
    .action(run('prune'));

  program
    .command('import-staging')
    .description("derive .pipeline/devpipe.yaml from staging's own configuration (a deployment-charts checkout)")
    .argument('[service]', 'the service (helmfile.d/services/<name>; default: the one running the image this checkout publishes)')
    .option('--charts <dir>', 'a deployment-charts checkout (required)')
    .option('--release <name>', 'the release to import when staging installs several (default: the one not named test/canary)')
    .addOption(new Option('--routes <policy>', 'listeners without a local service: stubs, or documented public endpoints').choices(['offline', 'online']).default('offline'))
    .option('--general <file>', "SRE general values, relative to --charts (staging's /etc/helmfile-defaults/general-staging.yaml)", '.fixtures/general-staging.yaml')
    .option('--listeners <file>', "listener definitions instead of the general values' services_proxy (a services_proxy map, or puppet's services_proxy/envoy.yaml)")
    .option('--external <chart>', 'a chart whose services are never run locally (repeatable; mediawiki always is)', collect, [])
    .option('--output <file>', 'where to write, relative to the project', '.pipeline/devpipe.yaml')
    .option('--no-checkout', 'do not build anything from this repository: pin every service')
    .option('--no-publish', "do not publish the services' ports on this machine (they stay reachable by name on the stack network)")
    .option('--force', 'overwrite local edits made since the last import')
    .option('--dry-run', 'print the result and the diff; write nothing')
    .action(run('import-staging'));

  const secrets = program.command('secrets').description('fake secrets');
  secrets
    .command('check')
    .description('scan images (layers, env, labels, history) for the value of every declared secret')
    .argument('[image...]', 'images to scan (default: every image devpipe built for this project)')
    .action(run('secrets-check'));

  return program;
}

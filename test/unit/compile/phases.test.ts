import test, { type ExecutionContext } from 'ava';
import type { CompiledBuild, PhasedInstruction } from '../../../src/compile/index.js';
import { renderInstruction } from '../../../src/compile/index.js';
import { compile, doc, finalStageLines } from '../spec/blubber/support.js';

/** The final stage's rendered instructions of one phase. */
function phase(build: CompiledBuild, name: PhasedInstruction['phase']): string[] {
  const stage = build.stages[build.stages.length - 1];
  return (stage?.instructions ?? []).filter((i) => i.phase === name).map(renderInstruction);
}

/** Lines of the final stage must contain `expected` as a contiguous block. */
const hasBlock = test.macro((t: ExecutionContext, yaml: string, variant: string, expected: string[]) => {
  const lines = finalStageLines(compile(yaml, variant));
  const start = lines.indexOf(expected[0] ?? '');
  t.true(start >= 0, `"${expected[0]}" not in:\n${lines.join('\n')}`);
  t.deepEqual(lines.slice(start, start + expected.length), expected);
});

const U18 = doc(`variants:
  apt-test:
    apt:
      packages: { default: [libfoo, libbar], baz-backports: [libbaz] }
      sources:
        - { url: "http://apt.wikimedia.org/wikimedia", distribution: bullseye-wikimedia, components: [thirdparty/confluent] }
        - { url: "https://packages.example.org/debian", distribution: bullseye, components: [main], signed-by: foo }
      proxies: [{ url: "http://webproxy:8080", source: "https://packages.example.org" }]
`);
const keyring = '2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae.asc';

test('U18 apt HEAD sequence: frontend, proxies, keyring, sources, installs (-t before default)', hasBlock, U18, 'apt-test', [
  'ENV DEBIAN_FRONTEND="noninteractive"',
  `RUN printf '%s\\n' "Acquire::https::Proxy::packages.example.org \\"http://webproxy:8080\\";" > /etc/apt/apt.conf.d/99blubber-proxies`,
  `COPY [".devpipe-context/apt-keyrings/${keyring}", "/etc/apt/keyrings/${keyring}"]`,
  `RUN apt-get update && apt-get install -y "ca-certificates" && printf '%s\\n' "deb http://apt.wikimedia.org/wikimedia bullseye-wikimedia thirdparty/confluent" "deb [signed-by=/etc/apt/keyrings/${keyring}] https://packages.example.org/debian bullseye main" > /etc/apt/sources.list.d/99blubber.list`,
  'RUN apt-get update && apt-get install -y -t "baz-backports" "libbaz" && apt-get install -y "libfoo" "libbar" && rm -rf /var/lib/apt/lists/* && rm -f /etc/apt/apt.conf.d/99blubber-proxies',
]);

test('U18 the key is a generated context file, byte for byte', (t) => {
  t.deepEqual(compile(U18, 'apt-test').extraEntries, [{ kind: 'file', path: `.devpipe-context/apt-keyrings/${keyring}`, content: 'foo', mode: 0o644 }]);
});

test('O17 apt release map + root list', hasBlock, doc('apt: { packages: [curl] }\nvariants:\n  one:\n    apt: { packages: { bullseye-backports: [npm, nodejs], default: [git] } }\n'), 'one', [
  'ENV DEBIAN_FRONTEND="noninteractive"',
  'RUN apt-get update && apt-get install -y -t "bullseye-backports" "npm" "nodejs" && apt-get install -y "curl" "git" && rm -rf /var/lib/apt/lists/*',
]);

test('U20 mounts and caches become RUN --mount options (BuildKit)', (t) => {
  const build = compile(
    doc('variants:\n  test:\n    builder:\n      command: "make install"\n      requirements: []\n      mounts: [local, { from: test2, destination: /src/foo, source: /tmp }]\n      caches: [/var/cache/foo, { destination: /var/cache/bar, id: bar-cache, access: locked }]\n  test2: {}\n'),
    'test',
  );
  t.true(build.buildkit);
  t.deepEqual(phase(build, 'pre-install'), [
    'RUN --mount=type=bind,source=.,target=/srv/app,rw --mount=type=bind,from=test2,source=/tmp,target=/src/foo,rw --mount=type=cache,target=/var/cache/foo,id=/var/cache/foo,sharing=shared,uid=65533,gid=65533 --mount=type=cache,target=/var/cache/bar,id=bar-cache,sharing=locked,uid=65533,gid=65533 make install',
  ]);
  t.deepEqual(build.stages.map((s) => s.name), ['test2', 'test']);
});

test('caches: $VAR in destinations expands from runs.environment and arguments; uid follows --build-arg LIVES_UID', (t) => {
  const yaml = doc('arguments: { CACHE_ROOT: /cache }\nruns: { environment: { GOPATH: /opt/lib/go } }\nvariants:\n  one:\n    builder: { command: [go, build], caches: ["${GOPATH}/pkg", "$CACHE_ROOT/x", "${UNKNOWN}/y"] }\n');
  const [run] = phase(compile(yaml, 'one', { buildArgs: { LIVES_UID: '1000' } }), 'pre-install');
  t.is(
    run,
    'RUN --mount=type=cache,target=/opt/lib/go/pkg,id=/opt/lib/go/pkg,sharing=shared,uid=1000,gid=65533 --mount=type=cache,target=/cache/x,id=/cache/x,sharing=shared,uid=1000,gid=65533 --mount=type=cache,target=/srv/app/${UNKNOWN}/y,id=${UNKNOWN}/y,sharing=shared,uid=1000,gid=65533 go "build"',
  );
});

test('U21 python without requirements, or without version, emits nothing', (t) => {
  for (const python of ['{ version: python3 }', '{ requirements: [requirements.txt] }']) {
    const build = compile(doc(`variants:\n  one: { python: ${python} }\n`), 'one');
    t.deepEqual(phase(build, 'pre-install'), []);
    t.false(build.dockerfile.includes('python'));
  }
});

test('U23 post-install: runs user, home, entrypoint; insecurely keeps only the entrypoint', (t) => {
  const yaml = doc('runs: { as: baruser, uid: 1000 }\nvariants:\n  secure: { entrypoint: [./foo, bar] }\n  insecure: { entrypoint: [./foo, bar], runs: { insecurely: true } }\n');
  t.deepEqual(phase(compile(yaml, 'secure'), 'post-install'), ['USER $RUNS_UID', 'ENV HOME="/home/$RUNS_AS"', 'ENTRYPOINT ["./foo", "bar"]']);
  t.deepEqual(phase(compile(yaml, 'insecure'), 'post-install'), ['ENTRYPOINT ["./foo", "bar"]']);
  t.true(compile(yaml, 'secure').dockerfile.includes('ARG RUNS_AS="baruser"\nARG RUNS_UID=1000\n'));
});

test('U24 install copies are all owned by the lives user (even insecurely)', (t) => {
  const yaml = doc('lives: { uid: 123, gid: 223 }\nruns: { insecurely: true }\nvariants:\n  build: {}\n  one: { copies: [{ from: local }, { from: build, source: /foo/src, destination: /foo/dst }] }\n');
  const build = compile(yaml, 'one');
  t.deepEqual(phase(build, 'install'), ['COPY --chown=$LIVES_UID:$LIVES_GID [".", "."]', 'COPY --chown=$LIVES_UID:$LIVES_GID --from=build ["/foo/src", "/foo/dst"]']);
  t.true(build.dockerfile.includes('ARG LIVES_UID=123\nARG LIVES_GID=223\n'));
});

test('U25 arguments: sorted ARGs in the privileged phase only; buildArgs merge declared defaults and overrides', (t) => {
  const build = compile(doc('arguments: { FOO: foo, BAR: bar }\nvariants:\n  one: { arguments: { BAR: baz } }\n'), 'one', { buildArgs: { FOO: 'cli' } });
  t.deepEqual(phase(build, 'privileged').slice(1, 5), ['USER 0', 'ENV HOME="/root"', 'ARG BAR="baz"', 'ARG FOO="foo"']);
  t.deepEqual(build.buildArgs, { FOO: 'cli', BAR: 'baz' });
  t.is(build.stages[0]?.instructions.filter((i) => i.kind === 'arg' && (i.name === 'FOO' || i.name === 'BAR')).length, 2);
});

test('O01 a single variant still names its stage', (t) => {
  t.true(compile(doc('variants:\n  development: {}\n'), 'development').dockerfile.startsWith('FROM debian:bookworm AS development\n'));
});

test('O02 requirement from another variant is copied in pre-install, before install copies', (t) => {
  const build = compile(doc('variants:\n  ccc: {}\n  bbb: { copies: [ccc] }\n  aaa: {}\n  final:\n    copies: [bbb, aaa]\n    builder: { requirements: [{ from: aaa, source: /x }] }\n'), 'final');
  t.deepEqual(build.stages.map((s) => s.name), ['ccc', 'bbb', 'aaa', 'final']);
  t.deepEqual(phase(build, 'pre-install'), ['COPY --chown=$LIVES_UID:$LIVES_GID --from=aaa ["/x", "/"]']);
  t.deepEqual(phase(build, 'install').length, 4);
});

test('O16 copies from an external image: COPY --from=<image>, no stage', (t) => {
  const build = compile(doc('variants:\n  one:\n    copies: [{ from: "docker-registry.wikimedia.org/golang:1.21", source: /usr/local/go, destination: /usr/local/go }]\n'), 'one');
  t.deepEqual(phase(build, 'install'), ['COPY --chown=$LIVES_UID:$LIVES_GID --from=docker-registry.wikimedia.org/golang:1.21 ["/usr/local/go", "/usr/local/go"]']);
  t.deepEqual(build.baseImages, ['debian:bookworm', 'docker-registry.wikimedia.org/golang:1.21']);
  t.is(build.stages.length, 1);
});

test('O18 node production + npm ci + allow-dedupe-failure, php production', (t) => {
  const build = compile(doc('variants:\n  one:\n    node: { env: production, use-npm-ci: true, allow-dedupe-failure: true, requirements: [package.json] }\n    php: { production: true, requirements: [composer.json] }\n'), 'one');
  t.deepEqual(phase(build, 'pre-install'), [
    'COPY --chown=$LIVES_UID:$LIVES_GID ["package.json", "./"]',
    'RUN npm ci "--only=production"',
    'RUN npm dedupe || echo "WARNING: npm dedupe failed, continuing anyways"',
    'COPY --chown=$LIVES_UID:$LIVES_GID ["composer.json", "./"]',
    'RUN composer install "--no-scripts" "--no-dev"',
  ]);
  t.deepEqual(phase(build, 'post-install'), ['USER $RUNS_UID', 'ENV HOME="/home/$RUNS_AS"', 'ENV NODE_ENV="production"']);
});

test('node production without allow-dedupe-failure runs a plain dedupe', (t) => {
  t.deepEqual(phase(compile(doc('variants:\n  one: { node: { env: production, requirements: [package.json] } }\n'), 'one'), 'pre-install').slice(1), ['RUN npm install "--only=production"', 'RUN npm dedupe']);
});

test('O19 node env without requirements only sets NODE_ENV', (t) => {
  const build = compile(doc('variants:\n  one: { node: { env: development, requirements: [] } }\n'), 'one');
  t.deepEqual(phase(build, 'pre-install'), []);
  t.deepEqual(phase(build, 'post-install').slice(2), ['ENV NODE_ENV="development"']);
});

test('O20 python2 pins pip<21', (t) => {
  const lines = phase(compile(doc('variants:\n  one: { python: { version: python2.7, requirements: [requirements.txt] } }\n'), 'one'), 'pre-install');
  t.true(lines.includes('RUN python2.7 "-m" "pip" "install" "-U" "setuptools!=60.9.0" && python2.7 "-m" "pip" "install" "-U" "wheel" "tox" "pip<21"'));
});

test('short python names do not crash (Blubber panics on <7 chars)', (t) => {
  t.notThrows(() => compile(doc('variants:\n  one: { python: { version: py3, requirements: [] } }\n'), 'one'));
});

test('O21 environment values are quoted Go-style, keys sorted', hasBlock, doc('runs:\n  environment: { ZED: last, QUOTE: \'say "hi"\', ALPHA: has space }\nvariants:\n  one: {}\n'), 'one', [
  'ENV ALPHA="has space" QUOTE="say \\"hi\\"" ZED="last"',
]);

test('O22 custom identities change ARG defaults only', (t) => {
  const custom = compile(doc('lives: { as: app, uid: 1000, gid: 1001, in: /app }\nruns: { as: web, uid: 2000, gid: 2001 }\nvariants:\n  one: {}\n'), 'one').dockerfile;
  for (const line of ['ARG LIVES_AS="app"', 'ARG LIVES_UID=1000', 'ARG LIVES_GID=1001', 'ARG RUNS_AS="web"', 'ARG RUNS_UID=2000', 'ARG RUNS_GID=2001', 'WORKDIR "/app"', 'ENV HOME="/home/app"', 'mkdir -p "/app"']) {
    t.true(custom.includes(line), line);
  }
});

test('§3.5 python pip mode with no-deps and system site packages', hasBlock, doc('variants:\n  one:\n    python: { version: python3, requirements: [requirements.txt, requirements/test.txt, docs/], no-deps: true, use-system-site-packages: true }\n'), 'one', [
  'COPY --chown=$LIVES_UID:$LIVES_GID ["requirements.txt", "./"]',
  'COPY --chown=$LIVES_UID:$LIVES_GID ["requirements/test.txt", "requirements/"]',
  'COPY --chown=$LIVES_UID:$LIVES_GID ["docs/", "docs/"]',
  'RUN python3 "-m" "venv" "/opt/lib/venv" "--system-site-packages"',
  'ENV PATH="/opt/lib/venv/bin:$PATH" VIRTUAL_ENV="/opt/lib/venv"',
  'RUN python3 "-m" "pip" "install" "-U" "setuptools!=60.9.0" && python3 "-m" "pip" "install" "-U" "wheel" "tox" "pip"',
  'RUN python3 "-m" "pip" "install" "--no-deps" "-r" "requirements.txt" "-r" "requirements/test.txt" "-r" "docs/"',
  'USER $RUNS_UID',
  'ENV HOME="/home/$RUNS_AS"',
  'RUN python3 "-m" "pip" "check"',
]);

test('§3.5 python poetry mode with pins, custom venv, runs.in last before entrypoint', (t) => {
  const build = compile(
    doc('variants:\n  one:\n    python: { version: python3.11, requirements: [pyproject.toml, poetry.lock], poetry: { version: "==1.8.2", without: dev }, venv: /opt/venv, pip-version: "24.0", setuptools-version: "<70", tox-version: "4" }\n    runs: { in: /srv/app/src }\n    entrypoint: [run]\n'),
    'one',
  );
  t.deepEqual(phase(build, 'pre-install').slice(1), [
    'RUN python3.11 "-m" "venv" "/opt/venv"',
    'ENV PATH="/opt/venv/bin:$PATH" VIRTUAL_ENV="/opt/venv"',
    'RUN python3.11 "-m" "pip" "install" "-U" "setuptools<70" && python3.11 "-m" "pip" "install" "-U" "wheel" "tox==4" "pip==24.0"',
    'ENV POETRY_VIRTUALENVS_PATH="/opt/lib/poetry"',
    'RUN python3.11 "-m" "pip" "install" "-U" "poetry==1.8.2"',
    'RUN mkdir -p "/opt/lib/poetry"',
    'RUN poetry "install" "--no-root" "--without" "dev"',
  ]);
  t.deepEqual(phase(build, 'post-install'), ['USER $RUNS_UID', 'ENV HOME="/home/$RUNS_AS"', 'WORKDIR "/srv/app/src"', 'ENTRYPOINT ["run"]']);
});

test('poetry 1.x: --no-dev unless devel', (t) => {
  const lines = (devel: boolean): string[] => phase(compile(doc(`variants:\n  one: { python: { version: python3, requirements: [pyproject.toml], poetry: { version: "<2", devel: ${devel} } } }\n`), 'one'), 'pre-install');
  t.is(lines(false).at(-1), 'RUN poetry "install" "--no-root" "--no-dev"');
  t.is(lines(true).at(-1), 'RUN poetry "install" "--no-root"');
});

test('§3.5 requirement grouping: by from, then destination (observed shapes)', (t) => {
  const build = compile(doc('variants:\n  other: {}\n  one:\n    builder: { requirements: [./package.json, src, lib/, ./a/b/c.txt, docs/./x/, ., { from: other, source: /x/y }] }\n'), 'one');
  t.deepEqual(phase(build, 'pre-install'), [
    'COPY --chown=$LIVES_UID:$LIVES_GID ["package.json", "src", "./"]',
    'COPY --chown=$LIVES_UID:$LIVES_GID ["lib/", "lib/"]',
    'COPY --chown=$LIVES_UID:$LIVES_GID ["a/b/c.txt", "a/b/"]',
    'COPY --chown=$LIVES_UID:$LIVES_GID ["docs/x/", "docs/./x/"]',
    'COPY --chown=$LIVES_UID:$LIVES_GID ["./", "."]',
    'COPY --chown=$LIVES_UID:$LIVES_GID --from=other ["/x/y", "/x/"]',
  ]);
});

test('§3.5 builders list order: root entries, then variant entries, with merged node in the later position', (t) => {
  const build = compile(
    doc('builders:\n  - python: { version: python3, requirements: [] }\n  - custom: { command: [echo, root-custom] }\n  - node: { requirements: [package.json] }\nvariants:\n  one:\n    builders:\n      - node: { env: production }\n      - custom: { command: [echo, variant-custom], requirements: [Makefile] }\n'),
    'one',
  );
  const pre = phase(build, 'pre-install');
  const order = ['RUN python3 "-m" "venv" "/opt/lib/venv"', 'RUN echo "root-custom"', 'RUN npm install "--only=production"', 'RUN npm dedupe', 'COPY --chown=$LIVES_UID:$LIVES_GID ["Makefile", "./"]', 'RUN echo "variant-custom"'];
  const positions = order.map((line) => pre.indexOf(line));
  t.false(positions.includes(-1), pre.join('\n'));
  t.deepEqual([...positions].sort((a, b) => a - b), positions);
  t.deepEqual(phase(build, 'post-install').at(-1), 'ENV NODE_ENV="production"');
});

test('string command is verbatim; list command quotes its arguments', (t) => {
  const build = compile(doc('variants:\n  one:\n    builders:\n      - custom: { command: "make ${MAKE_TARGET} && echo $HOME" }\n      - custom: { command: [sh, -c, "echo \\"$x\\""] }\n'), 'one');
  t.deepEqual(phase(build, 'pre-install'), ['RUN make ${MAKE_TARGET} && echo $HOME', 'RUN sh "-c" "echo \\"$x\\""']);
  t.false(build.buildkit);
});

test('a builder with only requirements copies them (Blubber v1.3+)', (t) => {
  t.deepEqual(phase(compile(doc('variants:\n  one: { builder: { requirements: [Makefile] } }\n'), 'one'), 'pre-install'), ['COPY --chown=$LIVES_UID:$LIVES_GID ["Makefile", "./"]']);
});

test('script: bind-mounted from a generated context file (BuildKit), shebang added', (t) => {
  const build = compile(doc('variants:\n  one: { builder: { script: "echo hi\\n" } }\n'), 'one');
  const [entry] = build.extraEntries;
  t.is(entry?.kind, 'file');
  if (entry?.kind !== 'file') return;
  t.is(entry.content, '#!/bin/sh\necho hi\n');
  t.is(entry.mode, 0o555);
  const name = entry.path.slice('.devpipe-context/'.length);
  t.deepEqual(phase(build, 'pre-install'), [`RUN --mount=type=bind,source=${entry.path},target=/tmp/devpipe-${name} /tmp/devpipe-${name}`]);
  t.true(build.buildkit);
});

test('script: classic mode copies, runs and removes it; an own shebang is kept', (t) => {
  const build = compile(doc('variants:\n  one: { builder: { script: "#!/bin/bash\\necho hi\\n" } }\n'), 'one', { scripts: 'copy' });
  const entry = build.extraEntries[0];
  t.true(entry?.kind === 'file' && entry.content === '#!/bin/bash\necho hi\n');
  const target = `/tmp/devpipe-${entry?.path.slice('.devpipe-context/'.length) ?? ''}`;
  t.deepEqual(phase(build, 'pre-install'), [`COPY --chown=$LIVES_UID:$LIVES_GID ["${entry?.path ?? ''}", "${target}"]`, `RUN ${target} && rm -f ${target}`]);
  t.false(build.buildkit);
});

test('exclude on a local copy: a filtered context view, COPY from it', (t) => {
  const build = compile(doc('variants:\n  one:\n    copies: [{ from: local, exclude: [node_modules] }, { from: local, source: config.json, destination: conf/, exclude: [x] }]\n    builder: { requirements: [{ from: local, source: .git/, exclude: ["!HEAD"] }] }\n'), 'one');
  t.deepEqual(build.extraEntries, [
    { kind: 'view', path: '.devpipe-context/copy-1', source: '.git', exclude: ['!HEAD'] },
    { kind: 'view', path: '.devpipe-context/copy-2', source: '.', exclude: ['node_modules'] },
    { kind: 'view', path: '.devpipe-context/copy-3/config.json', source: 'config.json', exclude: ['x'] },
  ]);
  t.deepEqual(phase(build, 'pre-install'), ['COPY --chown=$LIVES_UID:$LIVES_GID [".devpipe-context/copy-1/", ".git/"]']);
  t.deepEqual(phase(build, 'install'), ['COPY --chown=$LIVES_UID:$LIVES_GID [".devpipe-context/copy-2/", "."]', 'COPY --chown=$LIVES_UID:$LIVES_GID [".devpipe-context/copy-3/config.json", "conf/"]']);
  t.false(build.buildkit);
});

test('exclude on a copy from a variant: a helper stage deletes the matches first', (t) => {
  const build = compile(doc('variants:\n  build: {}\n  one:\n    copies: [{ from: build, source: dist/, destination: dist/, exclude: [node_modules, "**/*.map", "!keep.map"] }]\n'), 'one');
  t.deepEqual(build.stages.map((s) => `${s.role}:${s.name}`), ['variant:build', 'helper:devpipe-exclude-1', 'variant:one']);
  const helper = build.stages[1];
  t.is(helper?.base, 'build');
  t.regex(renderInstruction(helper?.instructions.at(-1) ?? { kind: 'comment', text: '' }), /^RUN if \[ -d "\/srv\/app\/dist\/" \]; then cd "\/srv\/app\/dist\/" && find \. -mindepth 1 ! -type d .*-path "\.\/\*\.map".* ! \\\( -path "\.\/keep\.map"/);
  t.deepEqual(phase(build, 'install'), ['COPY --chown=$LIVES_UID:$LIVES_GID --from=devpipe-exclude-1 ["/srv/app/dist/", "dist/"]']);
  t.false(build.buildkit);
});

test('relative sources from another variant resolve against its final workdir', (t) => {
  const build = compile(doc('variants:\n  build: { lives: { in: /src }, runs: { in: /src/out } }\n  plain: {}\n  bare: { base: ~ }\n  one:\n    copies: [{ from: build, source: ./app, destination: /app }, { from: plain, source: dist/, destination: dist/ }]\n'), 'one');
  t.deepEqual(phase(build, 'install'), ['COPY --chown=$LIVES_UID:$LIVES_GID --from=build ["/src/out/app", "/app"]', 'COPY --chown=$LIVES_UID:$LIVES_GID --from=plain ["/srv/app/dist/", "dist/"]']);
});

test('§2.3 shorthand copies from a variant use the copying variant\'s lives.in', (t) => {
  const build = compile(doc('variants:\n  build: { lives: { in: /src } }\n  prod: { copies: [build] }\n'), 'prod');
  t.deepEqual(phase(build, 'install'), ['COPY --chown=$LIVES_UID:$LIVES_GID --from=build ["/srv/app", "/srv/app"]', 'COPY --chown=$LIVES_UID:$LIVES_GID --from=build ["/opt/lib", "/opt/lib"]']);
});

test('scratch variants: only FROM, unowned copies, entrypoint; ignored config warns', (t) => {
  const build = compile('version: v4\nruns: { environment: { A_B: x } }\nvariants:\n  build: { base: golang:1.21 }\n  app:\n    apt: { packages: [curl] }\n    builder: { command: [make] }\n    copies: [{ from: build, source: /out, destination: /app }]\n    entrypoint: [/app]\n', 'app');
  t.deepEqual(finalStageLines(build), ['FROM scratch AS app', 'COPY --from=build ["/out", "/app"]', 'ENTRYPOINT ["/app"]']);
  t.is(build.warnings.length, 1);
  t.regex(build.warnings[0]?.message ?? '', /no base image \(FROM scratch\), so its builders, apt packages, runs.environment are ignored/);
  t.is(build.warnings[0]?.severity, 'warning');
});

test('insecurely: no runs user switch, copies still owned by lives', (t) => {
  const lines = finalStageLines(compile(doc('runs: { insecurely: true }\nvariants:\n  one: { copies: [local] }\n'), 'one'));
  t.false(lines.includes('USER $RUNS_UID'));
  t.is(lines.at(-1), 'COPY --chown=$LIVES_UID:$LIVES_GID [".", "."]');
});

test('mounts from an image are base images to check; local mounts bind the context', (t) => {
  const build = compile(doc('variants:\n  one: { builder: { command: [ls], mounts: [{ from: "golang:1.21", source: usr/local/go, destination: go }, { from: local, source: ./src }] } }\n'), 'one');
  t.deepEqual(phase(build, 'pre-install'), ['RUN --mount=type=bind,from=golang:1.21,source=/usr/local/go,target=/srv/app/go,rw --mount=type=bind,source=src,target=/srv/app,rw ls']);
  t.deepEqual(build.baseImages, ['debian:bookworm', 'golang:1.21']);
});

test('every instruction of a stage carries its phase, in phase order', (t) => {
  const build = compile(doc('variants:\n  one: { node: { requirements: [package.json] }, copies: [local], entrypoint: [x], runs: { environment: { AB: c } } }\n'), 'one');
  const order = ['privileged', 'privilege-dropped', 'pre-install', 'install', 'post-install'];
  const phases = (build.stages[0]?.instructions ?? []).filter((i) => i.kind !== 'label').map((i) => order.indexOf(i.phase ?? ''));
  t.false(phases.includes(-1));
  t.deepEqual([...phases].sort((a, b) => a - b), phases);
});

test('entrypoint: [] emits no ENTRYPOINT (Blubber: len > 0), keeping the base image\'s, and still replaces an inherited one', (t) => {
  const yaml = doc('entrypoint: [./server]\nvariants:\n  own: { entrypoint: [] }\n  inherited: {}\n');
  t.false(compile(yaml, 'own').dockerfile.includes('ENTRYPOINT'));
  t.deepEqual(phase(compile(yaml, 'own'), 'post-install'), ['USER $RUNS_UID', 'ENV HOME="/home/$RUNS_AS"']);
  t.deepEqual(phase(compile(yaml, 'inherited'), 'post-install').at(-1), 'ENTRYPOINT ["./server"]');
  t.false(compile('version: v4\nvariants:\n  bare: { entrypoint: [], copies: [local] }\n', 'bare').dockerfile.includes('ENTRYPOINT'));
});

test('a builder with requirements but no command copies them (Blubber >= v1.3.0) and says older Blubber did not', (t) => {
  const build = compile(doc('variants:\n  app:\n    builder:\n      requirements: [Makefile, src/]\n'), 'app');
  t.deepEqual(phase(build, 'pre-install'), ['COPY --chown=$LIVES_UID:$LIVES_GID ["Makefile", "./"]', 'COPY --chown=$LIVES_UID:$LIVES_GID ["src/", "src/"]']);
  t.is(build.warnings.length, 1);
  t.regex(build.warnings[0]?.message ?? '', /builder has requirements but no command or script; they are copied \(Blubber >= v1\.3\.0\), while Blubber <= v1\.2/);
  t.is(build.warnings[0]?.severity, 'warning');
  t.deepEqual(compile(doc('variants:\n  app:\n    builder: { command: [make], requirements: [Makefile] }\n'), 'app').warnings, []);
});

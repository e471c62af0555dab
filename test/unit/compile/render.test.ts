import test from 'ava';
import { compileVariant, renderInstruction, type Instruction } from '../../../src/compile/index.js';
import { quote, shell } from '../../../src/compile/instructions.js';
import { loadBlubber } from '../../../src/spec/blubber/index.js';
import { formatIssue } from '../../../src/spec/issues.js';
import { compile, doc, fixture } from '../spec/blubber/support.js';

const privilegedBlock = (livesDir = '/srv/app'): string[] => [
  'ARG LIVES_AS="somebody"',
  'ARG LIVES_UID=65533',
  'ARG LIVES_GID=65533',
  `RUN (getent group "$LIVES_GID" || groupadd -o -g "$LIVES_GID" -r "$LIVES_AS") && (getent passwd "$LIVES_UID" || useradd -l -o -m -d "/home/$LIVES_AS" -r -g "$LIVES_GID" -u "$LIVES_UID" "$LIVES_AS") && mkdir -p "${livesDir}" && chown "$LIVES_UID":"$LIVES_GID" "${livesDir}" && mkdir -p "/opt/lib" && chown "$LIVES_UID":"$LIVES_GID" "/opt/lib"`,
  'ARG RUNS_AS="runuser"',
  'ARG RUNS_UID=900',
  'ARG RUNS_GID=900',
  'RUN (getent group "$RUNS_GID" || groupadd -o -g "$RUNS_GID" -r "$RUNS_AS") && (getent passwd "$RUNS_UID" || useradd -l -o -m -d "/home/$RUNS_AS" -r -g "$RUNS_GID" -u "$RUNS_UID" "$RUNS_AS")',
];

test('§3.4 golden Dockerfile, line for line', (t) => {
  const expected = [
    'FROM docker-registry.wikimedia.org/bookworm AS build',
    'USER 0',
    'ENV HOME="/root"',
    'ENV DEBIAN_FRONTEND="noninteractive"',
    'RUN apt-get update && apt-get install -y "ca-certificates" "build-essential" "git" && rm -rf /var/lib/apt/lists/*',
    ...privilegedBlock(),
    'USER $LIVES_UID',
    'ENV HOME="/home/somebody"',
    'WORKDIR "/srv/app"',
    'ENV FOO="bar"',
    'COPY --chown=$LIVES_UID:$LIVES_GID ["package.json", "package-lock.json", "./"]',
    'RUN npm ci',
    'COPY --chown=$LIVES_UID:$LIVES_GID ["Makefile", "./"]',
    'COPY --chown=$LIVES_UID:$LIVES_GID ["src/", "src/"]',
    'RUN make "build"',
    'COPY --chown=$LIVES_UID:$LIVES_GID [".", "."]',
    'USER $RUNS_UID',
    'ENV HOME="/home/$RUNS_AS"',
    'ENV NODE_ENV=""',
    '',
    'FROM docker-registry.wikimedia.org/bookworm AS production',
    'USER 0',
    'ENV HOME="/root"',
    'ENV DEBIAN_FRONTEND="noninteractive"',
    'RUN apt-get update && apt-get install -y "ca-certificates" "libfoo" && rm -rf /var/lib/apt/lists/*',
    ...privilegedBlock(),
    'USER $LIVES_UID',
    'ENV HOME="/home/somebody"',
    'WORKDIR "/srv/app"',
    'ENV FOO="bar"',
    'COPY --chown=$LIVES_UID:$LIVES_GID --from=build ["/srv/app/dist", "dist"]',
    'COPY --chown=$LIVES_UID:$LIVES_GID ["config.prod.json", "config.json"]',
    'USER $RUNS_UID',
    'ENV HOME="/home/$RUNS_AS"',
    'ENV NODE_ENV="production"',
    'ENTRYPOINT ["node", "dist/server.js"]',
    '',
    'LABEL blubber.variant="production" blubber.version="devpipe"',
    '',
  ].join('\n');
  const build = compile(fixture('golden.yaml'), 'production');
  t.is(build.dockerfile, expected);
  t.is(build.target, 'production');
  t.false(build.buildkit);
  t.deepEqual(build.baseImages, ['docker-registry.wikimedia.org/bookworm']);
  t.deepEqual(build.extraEntries, []);
});

test('§3.4 scratch target from a Go build', (t) => {
  const build = compile(fixture('scratch-go.yaml'), 'production');
  const text = build.dockerfile;
  t.true(text.includes('WORKDIR "/src"\nCOPY --chown=$LIVES_UID:$LIVES_GID ["go.mod", "go.sum", "./"]\nRUN go "mod" "download"\nCOPY --chown=$LIVES_UID:$LIVES_GID ["main.go", "./"]\nRUN go "build" "."\nUSER $RUNS_UID\nENV HOME="/home/$RUNS_AS"\n\n'));
  t.true(text.endsWith('FROM scratch AS production\nCOPY --from=build ["/src/app", "/app"]\nENTRYPOINT ["/app"]\n\nLABEL blubber.variant="production" blubber.version="devpipe"\n'));
  t.deepEqual(build.baseImages, ['golang:1.21']);
});

test('§3.4 minimal variant', (t) => {
  const build = compile('version: v4\nbase: debian:bookworm\nvariants: {hello: {}}\n', 'hello');
  t.is(
    build.dockerfile,
    ['FROM debian:bookworm AS hello', 'USER 0', 'ENV HOME="/root"', ...privilegedBlock(), 'USER $LIVES_UID', 'ENV HOME="/home/somebody"', 'WORKDIR "/srv/app"', 'USER $RUNS_UID', 'ENV HOME="/home/$RUNS_AS"', '', 'LABEL blubber.variant="hello" blubber.version="devpipe"', ''].join('\n'),
  );
});

test('the version label is configurable', (t) => {
  const build = compile(doc('variants: {hello: {}}\n'), 'hello', { version: '0.1.0' });
  t.true(build.dockerfile.endsWith('LABEL blubber.variant="hello" blubber.version="0.1.0"\n'));
  t.deepEqual(build.labels, { 'blubber.variant': 'hello', 'blubber.version': '0.1.0' });
});

test('quote is Go %q: quotes, backslashes, newlines; $ stays', (t) => {
  t.is(quote('say "hi" \\ $HOME\nnext\ttab'), '"say \\"hi\\" \\\\ $HOME\\nnext\\ttab"');
  t.is(quote('\u0001'), '"\\x01"');
});

test('shell fills %s slots with quoted args and appends the rest', (t) => {
  t.is(shell('chown %s:%s', '$LIVES_UID', '$LIVES_GID', '/dir'), 'chown "$LIVES_UID":"$LIVES_GID" "/dir"');
  t.is(shell('npm ci'), 'npm ci');
});

const rendered: [Instruction, string][] = [
  [{ kind: 'arg', name: 'N', value: 3 }, 'ARG N=3'],
  [{ kind: 'arg', name: 'S', value: 'a b' }, 'ARG S="a b"'],
  [{ kind: 'env', vars: [['ALPHA', 'has space'], ['QUOTE', 'say "hi"'], ['ZED', 'last']] }, 'ENV ALPHA="has space" QUOTE="say \\"hi\\"" ZED="last"'],
  [{ kind: 'copy', sources: ['a', 'b'], destination: 'x/', chown: '1:2', from: 'st' }, 'COPY --chown=1:2 --from=st ["a", "b", "x/"]'],
  [{ kind: 'workdir', path: '/srv/app' }, 'WORKDIR "/srv/app"'],
  [{ kind: 'entrypoint', args: ['node', 'server.js'] }, 'ENTRYPOINT ["node", "server.js"]'],
  [{ kind: 'run', command: 'make', mounts: [{ type: 'bind', from: 'st', source: '/', target: '/w', rw: true }] }, 'RUN --mount=type=bind,from=st,source=/,target=/w,rw make'],
  [{ kind: 'run', command: 'make', mounts: [{ type: 'cache', target: '/c', id: 'a,b', sharing: 'locked', uid: 1, gid: 2 }] }, 'RUN --mount=type=cache,target=/c,"id=a,b",sharing=locked,uid=1,gid=2 make'],
  [{ kind: 'comment', text: 'one\ntwo' }, '# one\n# two'],
];
for (const [instruction, text] of rendered) {
  test(`renders ${instruction.kind}: ${text.split('\n')[0]}`, (t) => t.is(renderInstruction(instruction), text));
}

test('a builder command with quotes: shell form as Blubber writes it, each line one Dockerfile instruction', (t) => {
  const build = compile(
    doc(
      [
        'variants:',
        '  quoted:',
        '    builders:',
        '      - custom: { command: [sh, -c, \'echo "a b" > out && printf "%s\\\\n" "$HOME"\'] }',
        '      - custom: { command: [\'["echo", "hi"]\'] }',
        '      - custom:',
        '          command: |',
        '            echo "one" > lines',
        '            echo \'two "2"\' >> lines',
        '      - custom: { command: ["printf x \\\\"] }',
        '',
      ].join('\n'),
    ),
    'quoted',
  );
  const runs = build.dockerfile.split('\n').filter((line) => /^RUN (sh|\[|printf)/.test(line));
  t.deepEqual(runs, [
    'RUN sh "-c" "echo \\"a b\\" > out && printf \\"%s\\\\\\\\n\\" \\"$HOME\\""',
    // Text that parses as a JSON array would be read as exec form: written as exec form of sh -c.
    'RUN ["/bin/sh", "-c", "[\\"echo\\", \\"hi\\"]"]',
    // A multi-line command stays one instruction: exec form of sh -c, JSON-escaped quotes and line breaks.
    'RUN ["/bin/sh", "-c", "echo \\"one\\" > lines\\necho \'two \\"2\\"\' >> lines\\n"]',
    // A trailing backslash would continue the instruction on the next line.
    'RUN ["/bin/sh", "-c", "printf x \\\\"]',
  ]);
  // Every line of the Dockerfile is an instruction, a comment or blank: nothing spilled over.
  for (const line of build.dockerfile.split('\n')) t.regex(line, /^(|#.*|[A-Z]+ .*)$/);
});

/** Golden snapshots: every variant of every valid fixture. */
const fixtures = ['golden.yaml', 'scratch-go.yaml', 'features.yaml', 'blubber-project.yaml', 'service-template-node.yaml', 'labs-striker.yaml', 'shellbox-php.yaml'];
for (const name of fixtures) {
  test(`snapshot: ${name}`, (t) => {
    const loaded = loadBlubber(fixture(name), name);
    if (!loaded.ok) return t.fail(loaded.errors.map(formatIssue).join('\n'));
    for (const variant of Object.keys(loaded.value.variants)) {
      const result = compileVariant(loaded.value, variant);
      if (!result.ok) return t.fail(result.errors.map(formatIssue).join('\n'));
      t.snapshot(result.value.dockerfile, `${name} ${variant}`);
      t.snapshot({ buildkit: result.value.buildkit, extraEntries: result.value.extraEntries, baseImages: result.value.baseImages, buildArgs: result.value.buildArgs }, `${name} ${variant} (build request)`);
    }
    return undefined;
  });
}

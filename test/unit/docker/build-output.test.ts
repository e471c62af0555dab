import test from 'ava';
import { BuildOutput } from '../../../src/docker/build-output.js';
import { decodeTrace } from '../../../src/docker/buildkit-trace.js';

function feed(chunks: string[]): { output: BuildOutput; lines: string[] } {
  const lines: string[] = [];
  const output = new BuildOutput((line) => lines.push(line));
  for (const chunk of chunks) output.push(chunk);
  output.end();
  return { output, lines };
}

test('classic builder: stream lines and the image ID from aux', (t) => {
  const { output, lines } = feed([
    '{"stream":"Step 1/2 : FROM scratch\\n"}\n{"stream":" ---> Running',
    ' in abc\\n"}\n{"aux":{"ID":"sha256:0123456789abcdef"}}\n{"stream":"Successfully built 0123456789ab\\n"}\n',
  ]);
  t.is(output.imageId, 'sha256:0123456789abcdef');
  t.is(output.error, undefined);
  t.deepEqual(lines, ['Step 1/2 : FROM scratch', ' ---> Running in abc', 'Successfully built 0123456789ab']);
});

test('an errorDetail line is a failure even though the HTTP status was 200', (t) => {
  const { output } = feed([
    '{"stream":"Step 2/2 : RUN false\\n"}\n',
    '{"errorDetail":{"code":1,"message":"The command \'/bin/sh -c false\' returned a non-zero code: 1"},"error":"The command \'/bin/sh -c false\' returned a non-zero code: 1"}\n',
  ]);
  t.regex(output.error ?? '', /returned a non-zero code: 1/);
  t.deepEqual(output.tail.slice(-1), ["The command '/bin/sh -c false' returned a non-zero code: 1"]);
});

test('a message without a trailing newline is read at the end', (t) => {
  const { output } = feed(['{"aux":{"ID":"sha256:ff"}}']);
  t.is(output.imageId, 'sha256:ff');
});

test('non-JSON lines are kept as log lines', (t) => {
  const { lines } = feed(['plain text\n']);
  t.deepEqual(lines, ['plain text']);
});

// A hand-encoded StatusResponse: one vertex {digest "d1", name "[x 1/2] RUN echo hi", started},
// one log {vertex "d1", stream 1, msg "hi\n"}.
function encodeTrace(message = 'hi\n', withVertex = true): string {
  const str = (field: number, text: string) => {
    const bytes = Buffer.from(text);
    return Buffer.concat([Buffer.from([(field << 3) | 2, bytes.length]), bytes]);
  };
  const msg = (field: number, body: Buffer) => Buffer.concat([Buffer.from([(field << 3) | 2, body.length]), body]);
  const vertex = Buffer.concat([str(1, 'd1'), str(3, '[x 1/2] RUN echo hi'), msg(5, Buffer.from([0x08, 0x01]))]);
  const log = Buffer.concat([str(1, 'd1'), Buffer.from([(3 << 3) | 0, 1]), str(4, message)]);
  return Buffer.concat([...(withVertex ? [msg(1, vertex)] : []), msg(3, log)]).toString('base64');
}

test('BuildKit trace: vertex names and logs are decoded', (t) => {
  const trace = decodeTrace(encodeTrace());
  t.is(trace.vertexes[0]?.name, '[x 1/2] RUN echo hi');
  t.true(trace.vertexes[0]?.started);
  t.is(trace.logs[0]?.message, 'hi\n');
  const { lines, output } = feed([
    `${JSON.stringify({ id: 'moby.buildkit.trace', aux: encodeTrace() })}\n`,
    `${JSON.stringify({ id: 'moby.image.id', aux: { ID: 'sha256:beef' } })}\n`,
  ]);
  t.deepEqual(lines, ['[x 1/2] RUN echo hi', '  hi']);
  t.is(output.imageId, 'sha256:beef');
});

test('BuildKit trace: a RUN line cut across log chunks is shown whole; an unfinished last line is shown at the end', (t) => {
  const chunk = (message: string, withVertex = false) => `${JSON.stringify({ id: 'moby.buildkit.trace', aux: encodeTrace(message, withVertex) })}\n`;
  const { lines } = feed([chunk('npm', true), chunk(' ERR!'), chunk(' path /srv/service\nnpm ERR! command failed\nnpm'), chunk(' ERR! last')]);
  t.deepEqual(lines, ['[x 1/2] RUN echo hi', '  npm ERR! path /srv/service', '  npm ERR! command failed', '  npm ERR! last']);
});

test('an undecodable trace is ignored, not a crash', (t) => {
  t.deepEqual(decodeTrace('////'), { vertexes: [], logs: [] });
});

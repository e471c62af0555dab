/**
 * Decodes BuildKit's progress (`aux` messages with id `moby.buildkit.trace`: a base64 protobuf
 * `moby.buildkit.v1.StatusResponse`) into vertex names, logs and errors, with a minimal
 * protobuf wire-format reader (only the fields we show).
 *
 *   StatusResponse { repeated Vertex vertexes = 1; repeated VertexStatus statuses = 2; repeated VertexLog logs = 3; }
 *   Vertex { string digest = 1; repeated string inputs = 2; string name = 3; bool cached = 4;
 *            Timestamp started = 5; Timestamp completed = 6; string error = 7; }
 *   VertexLog { string vertex = 1; Timestamp timestamp = 2; int64 stream = 3; bytes msg = 4; }
 */

export interface TraceVertex {
  digest: string;
  name: string;
  cached: boolean;
  started: boolean;
  completed: boolean;
  error: string;
}

export interface TraceLog {
  vertex: string;
  stream: number;
  message: string;
}

export interface Trace {
  vertexes: TraceVertex[];
  logs: TraceLog[];
}

type Field = { number: number; wire: number; value: bigint | Uint8Array };

function readVarint(buf: Uint8Array, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const byte = buf[pos++]!;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, pos];
    shift += 7n;
  }
}

function* fields(buf: Uint8Array): Generator<Field> {
  let pos = 0;
  while (pos < buf.length) {
    const [key, afterKey] = readVarint(buf, pos);
    pos = afterKey;
    const number = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      const [value, next] = readVarint(buf, pos);
      pos = next;
      yield { number, wire, value };
    } else if (wire === 2) {
      const [length, next] = readVarint(buf, pos);
      const end = next + Number(length);
      yield { number, wire, value: buf.subarray(next, end) };
      pos = end;
    } else if (wire === 1) {
      pos += 8;
    } else if (wire === 5) {
      pos += 4;
    } else {
      throw new Error(`unsupported wire type ${wire}`);
    }
  }
}

const text = new TextDecoder();

function decodeVertex(buf: Uint8Array): TraceVertex {
  const v: TraceVertex = { digest: '', name: '', cached: false, started: false, completed: false, error: '' };
  for (const f of fields(buf)) {
    if (f.number === 1 && f.value instanceof Uint8Array) v.digest = text.decode(f.value);
    else if (f.number === 3 && f.value instanceof Uint8Array) v.name = text.decode(f.value);
    else if (f.number === 4 && typeof f.value === 'bigint') v.cached = f.value !== 0n;
    else if (f.number === 5) v.started = true;
    else if (f.number === 6) v.completed = true;
    else if (f.number === 7 && f.value instanceof Uint8Array) v.error = text.decode(f.value);
  }
  return v;
}

function decodeLog(buf: Uint8Array): TraceLog {
  const log: TraceLog = { vertex: '', stream: 0, message: '' };
  for (const f of fields(buf)) {
    if (f.number === 1 && f.value instanceof Uint8Array) log.vertex = text.decode(f.value);
    else if (f.number === 3 && typeof f.value === 'bigint') log.stream = Number(f.value);
    else if (f.number === 4 && f.value instanceof Uint8Array) log.message = text.decode(f.value);
  }
  return log;
}

/** Decodes one `moby.buildkit.trace` aux payload (base64). Undecodable input yields an empty trace. */
export function decodeTrace(base64: string): Trace {
  const trace: Trace = { vertexes: [], logs: [] };
  try {
    for (const f of fields(Buffer.from(base64, 'base64'))) {
      if (!(f.value instanceof Uint8Array)) continue;
      if (f.number === 1) trace.vertexes.push(decodeVertex(f.value));
      else if (f.number === 3) trace.logs.push(decodeLog(f.value));
    }
  } catch {
    return { vertexes: [], logs: [] };
  }
  return trace;
}

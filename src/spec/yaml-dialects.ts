/**
 * How the tools that read our files in CI resolve plain scalars: each dialect reproduces one
 * reader's implicit typing exactly, so a value means locally what it means in CI.
 *
 * - `go-yaml-v2`: Blubber (Go, ghodss/yaml over gopkg.in/yaml.v2 v2.4.0, then JSON). Booleans
 *   include y/Y/n/N; integers follow Go's `strconv.ParseInt(s, 0, 64)` after removing `_`
 *   (0x, 0o, 0b, leading-0 octal); floats match yaml.v2's `yamlStyleFloat` (an exponent without
 *   a dot counts); timestamps and sexagesimals (`1:20`) stay the strings Go sees (yaml.v2 keeps a
 *   timestamp a string when decoding into interface{}).
 * - `snakeyaml`: PipelineLib (Jenkins, SnakeYAML 1.33/2.x `Resolver`): YAML 1.1 without the
 *   one-letter booleans (y/n/Y/N are strings), sexagesimal ints and floats, `0o17` a string,
 *   dates become timestamps.
 *
 * The regular expressions below were checked against the real readers (docs/yaml.md lists the
 * table). Anything not listed here (collections, `!!binary`, merge keys) is the `yaml` package's
 * YAML 1.1 behaviour.
 */
import type { ScalarTag, Tags } from 'yaml';

export type YamlDialect = 'go-yaml-v2' | 'snakeyaml';

const INT = 'tag:yaml.org,2002:int';
const FLOAT = 'tag:yaml.org,2002:float';
const BOOL = 'tag:yaml.org,2002:bool';
const NULL = 'tag:yaml.org,2002:null';
const TIMESTAMP = 'tag:yaml.org,2002:timestamp';
const replaced = new Set([INT, FLOAT, BOOL, NULL, TIMESTAMP]);

/** A RegExp whose `test` is an arbitrary predicate (the `yaml` package only calls `test`). */
function predicate(fn: (text: string) => boolean): RegExp {
  const re = /(?:)/;
  re.test = fn;
  return re;
}

function scalarTag(tag: string, test: RegExp, resolve: (text: string) => unknown): ScalarTag {
  return { tag, default: true, test, resolve: (text) => resolve(text) };
}

// ---- go-yaml v2 (yaml.v2 resolve.go, Go strconv) -------------------------------------------

const goWords = new Map<string, unknown>([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'].map((w) => [w, true] as const),
  ...['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'].map((w) => [w, false] as const),
  ...['', '~', 'null', 'Null', 'NULL'].map((w) => [w, null] as const),
  ...['.nan', '.NaN', '.NAN'].map((w) => [w, Number.NaN] as const),
  ...['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'].map((w) => [w, Number.POSITIVE_INFINITY] as const),
  ...['-.inf', '-.Inf', '-.INF'].map((w) => [w, Number.NEGATIVE_INFINITY] as const),
]);

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** Go's `strconv.ParseInt(s, 0, 64)`, falling back to `ParseUint` (unsigned only), as yaml.v2 does. */
function goInteger(text: string): bigint | undefined {
  const match = /^([+-]?)(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (!match) return undefined;
  const [, sign, body = ''] = match;
  const digits = /^0[xXbBoO]/.test(body) ? body.toLowerCase() : body.length > 1 && body.startsWith('0') ? `0o${body.slice(1)}` : body;
  const value = sign === '-' ? -BigInt(digits) : BigInt(digits);
  if (value >= INT64_MIN && value <= INT64_MAX) return value;
  if (sign === '' && value <= UINT64_MAX) return value;
  return undefined;
}

const yamlStyleFloat = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

type GoScalar = { kind: 'bool' | 'null' | 'int' | 'float'; value: unknown } | { kind: 'str' };

/** yaml.v2's `resolve("", text)` for a plain scalar. */
export function goResolve(text: string): GoScalar {
  if (goWords.has(text)) {
    const value = goWords.get(text);
    return { kind: value === null ? 'null' : typeof value === 'boolean' ? 'bool' : 'float', value };
  }
  const first = text[0] ?? '';
  if (first === '.') {
    // Go's ParseFloat on the text as written: single underscores between digits are allowed.
    return /^\.[0-9]+(?:_[0-9]+)*(?:[eE][-+]?[0-9]+(?:_[0-9]+)*)?$/.test(text) ? { kind: 'float', value: Number(text.replace(/_/g, '')) } : { kind: 'str' };
  }
  if (!/[-+0-9]/.test(first)) return { kind: 'str' };
  // A timestamp (four digits and a dash) is kept as the string when decoding into interface{}.
  if (/^[0-9]{4}-/.test(text)) return { kind: 'str' };
  const plain = text.replace(/_/g, '');
  const int = goInteger(plain);
  if (int !== undefined) return { kind: 'int', value: Number(int) };
  if (yamlStyleFloat.test(plain)) {
    const value = Number(plain);
    // ParseFloat reports out-of-range values as an error: yaml.v2 then keeps the string.
    if (Number.isFinite(value)) return { kind: 'float', value };
  }
  return { kind: 'str' };
}

function goTag(tag: string, kind: GoScalar['kind']): ScalarTag {
  return scalarTag(tag, predicate((text) => goResolve(text).kind === kind), (text) => {
    const resolved = goResolve(text);
    return resolved.kind === 'str' ? text : resolved.value;
  });
}

const goTags: ScalarTag[] = [goTag(NULL, 'null'), goTag(BOOL, 'bool'), goTag(INT, 'int'), goTag(FLOAT, 'float')];

// ---- SnakeYAML (org.yaml.snakeyaml.resolver.Resolver, SafeConstructor) ------------------------

/** The implicit resolvers of SnakeYAML 1.33, verbatim, in the order SnakeYAML tries them. */
export const snakeYamlPatterns = {
  bool: /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  int: /^(?:[-+]?0b_*[0-1][0-1_]*|[-+]?0_*[0-7][0-7_]*|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x_*[0-9a-fA-F][0-9a-fA-F_]*|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  float:
    /^([-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)|[-+]?\.[0-9_]+(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  null: /^(?:~|null|Null|NULL| |)$/,
  timestamp:
    /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/,
};

function signed(text: string): { sign: number; rest: string } {
  if (text.startsWith('-')) return { sign: -1, rest: text.slice(1) };
  return { sign: 1, rest: text.startsWith('+') ? text.slice(1) : text };
}

function sexagesimal(rest: string): number {
  return rest.split(':').reduce((sum, part) => sum * 60 + Number(part), 0);
}

/** SafeConstructor.ConstructYamlInt. */
function snakeInt(text: string): number {
  const { sign, rest } = signed(text.replace(/_/g, ''));
  if (rest === '0') return 0;
  if (rest.startsWith('0b')) return sign * parseInt(rest.slice(2), 2);
  if (rest.startsWith('0x')) return sign * parseInt(rest.slice(2), 16);
  if (rest.startsWith('0')) return sign * parseInt(rest.slice(1), 8);
  if (rest.includes(':')) return sign * sexagesimal(rest);
  return sign * Number(rest);
}

/** SafeConstructor.ConstructYamlFloat. */
function snakeFloat(text: string): number {
  const { sign, rest } = signed(text.replace(/_/g, ''));
  const lower = rest.toLowerCase();
  if (lower === '.inf') return sign * Number.POSITIVE_INFINITY;
  if (lower === '.nan') return Number.NaN;
  if (rest.includes(':')) return sign * sexagesimal(rest);
  return sign * Number(rest);
}

function snakeTags(timestamp: ScalarTag | undefined): ScalarTag[] {
  const tags = [
    scalarTag(BOOL, snakeYamlPatterns.bool, (text) => /^(?:yes|true|on)$/i.test(text)),
    scalarTag(INT, snakeYamlPatterns.int, snakeInt),
    scalarTag(FLOAT, snakeYamlPatterns.float, snakeFloat),
    scalarTag(NULL, snakeYamlPatterns.null, () => null),
  ];
  // Dates as SnakeYAML builds them (java.util.Date, UTC unless an offset is given).
  if (timestamp) tags.push({ ...timestamp, default: true, test: snakeYamlPatterns.timestamp });
  return tags;
}

/** The `customTags` option of the `yaml` package for a dialect (on top of its YAML 1.1 schema). */
export function dialectTags(dialect: YamlDialect): (tags: Tags) => Tags {
  return (tags) => {
    const timestamp = tags.find((tag): tag is ScalarTag => typeof tag === 'object' && tag.tag === TIMESTAMP && !('collection' in tag && tag.collection));
    const kept = tags.filter((tag) => typeof tag !== 'object' || !replaced.has(tag.tag) || tag.default !== true);
    return [...(dialect === 'go-yaml-v2' ? goTags : snakeTags(timestamp)), ...kept];
  };
}

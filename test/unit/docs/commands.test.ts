/**
 * The docs cannot promise a flag the CLI refuses (issue 13, item 10): every `devpipe …` command
 * line in README.md and docs/*.md (code blocks and inline code) is parsed by the real command
 * definitions (src/cli/program.ts) with a recording dispatch, and the flags table of
 * docs/configuration.md is checked both ways against the options each command defines.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { CommanderError, type Command } from 'commander';
import { buildProgram } from '../../../src/cli/program.js';
import { repoRoot } from '../../helpers/cli.js';

interface DocLine {
  where: string;
  line: string;
  /** A code block line is a runnable example; inline code may just name a command and flags. */
  runnable: boolean;
}

const docFiles = ['README.md', ...readdirSync(path.join(repoRoot, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** `devpipe …` command lines: in fenced blocks (optionally after `$ `) and in inline code. */
function documentedCommands(): DocLine[] {
  const out: DocLine[] = [];
  for (const file of docFiles) {
    let fenced = false;
    readFileSync(path.join(repoRoot, file), 'utf8')
      .split('\n')
      .forEach((text, i) => {
        const where = `${file}:${i + 1}`;
        if (/^\s*```/.test(text)) {
          fenced = !fenced;
          return;
        }
        if (fenced) {
          const match = /^\s*(?:\$\s+)?(devpipe\s.*)$/.exec(text);
          // Up to a comment, a shell pipe or a redirection.
          if (match) out.push({ where, line: match[1]!.replace(/\s+(#|\||>).*$/, ''), runnable: true });
          return;
        }
        for (const match of text.matchAll(/`(devpipe(?:\s[^`]*)?)`/g)) out.push({ where, line: match[1]!, runnable: false });
      });
  }
  return out;
}

/** Placeholders become plain words: `[--from STAGE]` → `--from STAGE`, `<variant>` → `variant`. */
function argv(command: string): string[] {
  return command
    .trim()
    .split(/\s+/)
    .slice(1)
    .map((word) => word.replace(/^[[<]+|[\]>]+$/g, ''))
    .filter((word) => word !== '');
}

async function parse(args: string[]): Promise<{ module?: string; error?: string }> {
  let module: string | undefined;
  const program = buildProgram('0.0.0', async (name) => {
    module = name;
    return 0;
  }, () => undefined);
  const silence = (command: Command): void => {
    command.exitOverride();
    command.configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
    for (const sub of command.commands) silence(sub);
  };
  silence(program);
  try {
    await program.parseAsync(['node', 'devpipe', ...args]);
  } catch (error) {
    if (error instanceof CommanderError && /help|version/.test(error.code)) return { module: 'help' };
    return { error: error instanceof Error ? error.message : String(error) };
  }
  return module ? { module } : { error: 'no command ran' };
}

const lines = documentedCommands();

test('the docs show command lines at all (the extractor works)', (t) => {
  t.true(lines.length > 50, `${lines.length} lines`);
  t.true(lines.some((l) => l.line.startsWith('devpipe ci --graph=dot')), 'docs/pipeline.md shows --graph=dot');
});

/** Inline code that names a command and flags (`devpipe ci --mode`): they must exist. */
function namesExist(program: Command, args: string[]): string | undefined {
  const words = args.filter((w) => /^[a-z]/.test(w));
  let command: Command = program;
  for (const word of words) {
    const sub = command.commands.find((c) => c.name() === word);
    if (!sub) break;
    command = sub;
  }
  if (command === program && words.length > 0 && words[0] !== 'help') return `no command "${words[0]}"`;
  const accepted = optionNames(command);
  const unknown = args.filter((w) => w.startsWith('-')).map((w) => w.split('=')[0]!).filter((flag) => !accepted.has(flag));
  return unknown.length > 0 ? `unknown option ${unknown.join(', ')}` : undefined;
}

test('every documented devpipe command line is accepted by the CLI', async (t) => {
  const program = buildProgram('0.0.0', async () => 0, () => undefined);
  const refused: string[] = [];
  for (const { where, line, runnable } of lines) {
    for (const command of line.split(/\s*&&\s*/)) {
      // `devpipe … --target minikube` means "any command".
      if (/^devpipe …/.test(command)) continue;
      const error = runnable ? (await parse(argv(command))).error : namesExist(program, argv(command));
      if (error) refused.push(`${where}: \`${command}\` → ${error}`);
    }
  }
  t.deepEqual(refused, []);
});

/** Options of a command by long or short name, with its globals. */
function optionNames(command: Command): Set<string> {
  const names = new Set<string>();
  for (let c: Command | null = command; c; c = c.parent) {
    for (const option of c.options) {
      if (option.long) names.add(option.long);
      if (option.short) names.add(option.short);
    }
  }
  return names;
}

function commandByPath(program: Command, words: string[]): Command | undefined {
  let current: Command | undefined = program;
  for (const word of words) current = current?.commands.find((c) => c.name() === word);
  return current;
}

test('docs/configuration.md lists exactly the flags each command accepts', (t) => {
  const program = buildProgram('0.0.0', async () => 0, () => undefined);
  const table = readFileSync(path.join(repoRoot, 'docs/configuration.md'), 'utf8').split('## Commands and their flags')[1]!.split('\n## ')[0]!;
  const problems: string[] = [];
  const seen = new Set<Command>();
  for (const row of table.split('\n').filter((r) => /^\| `/.test(r))) {
    const [, commandCell = '', flagsCell = ''] = row.split(/(?<!\\)\|/).map((c) => c.trim());
    const words = commandCell.replace(/`/g, '').split(/\s+/).filter((w) => /^[a-z]/.test(w));
    const command = commandByPath(program, words);
    if (!command) {
      problems.push(`no command "${words.join(' ')}"`);
      continue;
    }
    seen.add(command);
    const accepted = optionNames(command);
    const spans = [...flagsCell.matchAll(/`([^`]*)`/g)].map((m) => m[1]!);
    const documented = new Set(spans.flatMap((span) => [...span.matchAll(/(?:^|[\s,])(-{1,2}[a-z][\w-]*)/g)].map((m) => m[1]!)));
    for (const flag of documented) if (!accepted.has(flag)) problems.push(`${words.join(' ')}: documented ${flag} is not accepted`);
    for (const option of command.options) {
      if (option.long && !documented.has(option.long)) problems.push(`${words.join(' ')}: ${option.long} is accepted but not documented`);
    }
  }
  const leaves = (c: Command): Command[] => (c.commands.length === 0 ? [c] : c.commands.flatMap(leaves));
  for (const command of program.commands.flatMap(leaves)) if (!seen.has(command)) problems.push(`command "${command.name()}" has no row`);
  t.deepEqual(problems, []);
});

test('the docs test would catch a refused flag (the parser is not lenient)', async (t) => {
  t.regex((await parse(['ci', '--graphh'])).error ?? '', /unknown option/);
  t.regex((await parse(['ci', '--mode', 'nope'])).error ?? '', /invalid/i);
  t.is((await parse(['ci', '--graph=dot'])).module, 'ci');
});

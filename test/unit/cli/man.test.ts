/**
 * The man pages come from one source: what each command's --help says and what docs/CONFIG.md says appears in the
 * rendered pages (groff's own output, read as plain text), and they render without a warning.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from '../../../src/cli/command.js';
import { commandsFor } from '../../../src/cli/main.js';
import { manPages, Sources } from '../../../src/tools/man.js';
import { helpToRoff, markdownToRoff } from '../../../src/tools/roff.js';
import { fakeWorld, ROOT } from '../helpers.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; description: string };
const CONFIG = readFileSync(join(ROOT, 'docs', 'CONFIG.md'), 'utf8');

function sources(commands: readonly Command[] = commandsFor(fakeWorld())): Sources {
  return { commands, config: CONFIG, version: pkg.version, description: pkg.description };
}

/** groff's rendering of a page as plain text (no bold/underline), and whatever it warned about. */
function render(roff: string): { text: string; warnings: string } {
  const r = spawnSync('groff', ['-ww', '-man', '-Tutf8', '-P-cbou', '-rLL=100n'], { input: roff, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr || r.error?.message);
  return { text: r.stdout, warnings: r.stderr };
}

const flat = (text: string) => text.replace(/\s+/g, ' ').trim();

/** The rendered text of `tnat64 NAME`'s subsection: from its heading to the next heading. */
function commandSection(text: string, name: string): string {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l === `   tnat64 ${name}`);
  assert.ok(start >= 0, `no subsection "tnat64 ${name}"`);
  const end = lines.findIndex((l, i) => i > start && /^ {0,3}\S/.test(l));
  return lines.slice(start, end).join('\n');
}

/** Every phrase of a --help text: its lines, split where the layout puts two or more spaces, without "Usage: ". */
function phrases(help: string): string[] {
  return help
    .split('\n')
    .flatMap((l) => l.replace(/^Usage: /, '').split(/ {2,}/))
    .map(flat)
    .filter((p) => p !== '');
}

test('tnat64(1): every phrase of every command\'s --help, in that command\'s section', () => {
  const page = manPages(sources()).find((p) => p.file === 'tnat64.1')!;
  const { text } = render(page.text);
  const commands = commandsFor(fakeWorld());
  assert.ok(commands.length >= 8);
  for (const command of commands) {
    const section = flat(commandSection(text, command.name));
    for (const phrase of phrases(command.usage)) assert.ok(section.includes(phrase), `tnat64 ${command.name}: "${phrase}" is not in the man page`);
    // Options in particular: each -x/--xx of the Options list.
    const options = [...command.usage.matchAll(/^ {2}(-\w|--[\w-]+)(?:, (--[\w-]+))?/gm)].flatMap((m) => [m[1]!, m[2]].filter((o) => o !== undefined));
    assert.ok(options.includes('--help') || command.name === 'help' || command.name === 'version', `${command.name}: no options read`);
    for (const option of options) assert.match(section, new RegExp(`(^| )${option}\\b`), `${command.name} ${option}`);
  }
});

test('tnat64(1): the overview is SYNOPSIS and DESCRIPTION; ENVIRONMENT is docs/CONFIG.md\'s table', () => {
  const { text } = render(manPages(sources()).find((p) => p.file === 'tnat64.1')!.text);
  const description = flat(text.slice(text.indexOf('\nSYNOPSIS'), text.indexOf('\nCOMMANDS')));
  const help = spawnSync(join(ROOT, 'bin', 'tnat64'), ['--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0, help.stderr);
  for (const phrase of phrases(help.stdout)) assert.ok(description.includes(phrase), `tnat64 --help: "${phrase}"`);
  const environment = flat(text.slice(text.indexOf('\nENVIRONMENT'), text.indexOf('\nFILES')));
  const variables = [...CONFIG.slice(CONFIG.indexOf('## Environment')).matchAll(/^\| `([A-Z_0-9]+)` \|/gm)].map((m) => m[1]!);
  assert.ok(variables.includes('TNAT64_PREFIX') && variables.includes('TNAT64_CONF_FILE'), variables.join(' '));
  for (const variable of variables) assert.ok(environment.includes(variable), variable);
});

test('tnat64.conf(5): every key, variable and error code of docs/CONFIG.md', () => {
  const { text } = render(manPages(sources()).find((p) => p.file === 'tnat64.conf.5')!.text);
  const page = flat(text);
  const syntax = CONFIG.slice(CONFIG.indexOf('### Syntax'), CONFIG.indexOf('### Errors'));
  const keys = new Set([...syntax.matchAll(/^\s*([a-z_0-9]+) = /gm)].map((m) => m[1]!));
  for (const key of ['nat64_prefix', 'local', 'subnet', 'ipv4_identity', 'standin_pool']) assert.ok(keys.has(key), `${key} not read from CONFIG.md`);
  const variables = new Set([...CONFIG.matchAll(/\b(TNAT64_[A-Z0-9_]+)\b/g)].map((m) => m[1]!));
  const codes = [...CONFIG.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]!);
  assert.ok(codes.length >= 20, codes.join(' '));
  for (const word of [...keys, ...variables, ...codes]) assert.match(page, new RegExp(`(^|[^\\w-])${word}([^\\w-]|$)`), word);
  // Every heading of the reference is a section or subsection.
  for (const m of CONFIG.matchAll(/^#{2,3} (.+)$/gm)) {
    const title = m[1]!.replace(/`/g, '');
    assert.ok(text.includes(`\n${title.toUpperCase()}\n`) || text.includes(`\n   ${title}\n`), `heading "${title}"`);
  }
});

test('both pages render without a warning, in groff and in man', (t) => {
  for (const page of manPages(sources())) {
    assert.equal(render(page.text).warnings, '', page.file);
    assert.ok(/^[\x00-\x7f]*$/.test(page.text), `${page.file} is ASCII (groff needs no preconv)`);
  }
  const man = spawnSync('man', ['--version'], { encoding: 'utf8' });
  if (man.status !== 0) return t.skip('man(1) is not installed');
  for (const file of ['tnat64.1', 'tnat64.conf.5']) {
    const r = spawnSync('man', ['--warnings', '-l', join(ROOT, 'build', 'man', file)], { encoding: 'utf8', env: { ...process.env, MANPAGER: 'cat', MANWIDTH: '100' } });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '', file);
  }
});

test('npm run build wrote the pages (build/man holds what the generator makes now)', () => {
  for (const page of manPages(sources(commandsFor(fakeWorld())))) {
    assert.equal(readFileSync(join(ROOT, 'build', 'man', page.file), 'utf8'), page.text, `build/man/${page.file} is stale`);
  }
});

test('a new command appears by itself, with its options', () => {
  const frob: Command = {
    name: 'frob',
    summary: 'frobnicate the prefix',
    usage: 'Usage: tnat64 frob [--zap N]\n\nFrobs.\n\nOptions:\n  --zap N     zap N times\n  -h, --help  show this help\n',
    run: async () => 0,
  };
  const { text } = render(manPages(sources([...commandsFor(fakeWorld()), frob])).find((p) => p.file === 'tnat64.1')!.text);
  const section = flat(commandSection(text, 'frob'));
  assert.ok(section.includes('tnat64 frob [--zap N]') && section.includes('--zap N zap N times'), section);
  assert.match(flat(text.slice(0, text.indexOf('\nCOMMANDS'))), /frob frobnicate the prefix/);
});

test('roff: text that looks like markup comes out as written', () => {
  const help = "Usage: tnat64 x\n\n.TH not a macro\n'so /etc/passwd\na \\fB b\\n c ~ ^ ` ' \u2026 -x\n  -q  quiet \\\\ .\n";
  const { text, warnings } = render(`.TH X 1\n.SH D\n${helpToRoff(help).synopsis}\n${helpToRoff(help).body}\n`);
  assert.equal(warnings, '');
  assert.ok(flat(text).includes(".TH not a macro 'so /etc/passwd a \\fB b\\n c ~ ^ ` ' \u2026 -x"), text);
  assert.ok(flat(text).includes('-q quiet \\\\ .'), text);
  const md = render(`.TH X 5\n${markdownToRoff('## A `b` c\n\n| k | v |\n|---|---|\n| `.x` | y \\| z |\n\n```\n.nf \\\\\n```\n')}\n`);
  assert.equal(md.warnings, '');
  assert.ok(flat(md.text).includes('A B C'), md.text);
  assert.ok(flat(md.text).includes('.x y | z'), md.text);
  assert.ok(md.text.includes('.nf \\\\'), md.text);
});

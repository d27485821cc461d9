/**
 * Text to man(7) roff, for the man pages generated from the commands' own --help texts and from docs/CONFIG.md (so
 * the pages cannot drift from either). Two readers: helpToRoff for the usage texts' plain layout, markdownToRoff for
 * the subset of Markdown the docs use. Output is ASCII only and needs no preprocessor (no tbl, no preconv).
 */

/** Escapes `text` for a roff text line: backslashes, characters groff would typeset differently, non-ASCII. */
export function escape(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\e';
    else if (ch === '-') out += '\\-';
    else if (ch === "'") out += '\\(aq';
    else if (ch === '`') out += '\\(ga';
    else if (ch === '^') out += '\\(ha';
    else if (ch === '~') out += '\\(ti';
    else if (code > 0x7e) out += `\\[u${code.toString(16).toUpperCase().padStart(4, '0')}]`;
    else out += ch;
  }
  return out;
}

/** A text line that is safe to start a roff line with (no control character at its start). */
export function line(text: string): string {
  return /^[.']/.test(text) ? `\\&${text}` : text;
}

/** A one-word-or-more argument of a macro, quoted. */
export function arg(text: string): string {
  return `"${escape(text).replace(/"/g, '\\(dq')}"`;
}

// --- the --help layout -------------------------------------------------------------------------------------------

/** An item line of a --help text, "  TERM  description": [line, TERM, description], or null. */
export function itemLine(text: string): RegExpExecArray | null {
  // An option whose term fills its column is followed by one space only: "  -t, --target HOST[:PORT] show …".
  return /^ {2}(\S(?:.*?\S)?) {2,}(\S.*)$/.exec(text) ?? /^ {2}(--?\w[\w-]*(?:, --\w[\w-]*)?(?: [A-Z][\w[\]:.]*)?) (\S.*)$/.exec(text);
}

export interface HelpOption {
  /** "-f" and "--file" */
  names: string[];
  /** "FILE", or undefined for a flag. */
  argument?: string;
}

/** The options a --help text lists: its items whose term is "-x, --long ARG" or a part of that. */
export function helpOptions(help: string): HelpOption[] {
  const options: HelpOption[] = [];
  for (const text of help.split('\n')) {
    const term = itemLine(text)?.[1];
    const m = term === undefined ? null : /^(--?\w[\w-]*)(?:, (--\w[\w-]*))?(?: (\S+))?$/.exec(term);
    if (!m) continue;
    options.push({ names: [m[1]!, m[2]].filter((n): n is string => n !== undefined), ...(m[3] === undefined ? {} : { argument: m[3] }) });
  }
  return options;
}

/**
 * A --help text in roff. The layout every command's usage follows:
 *   "Usage: …" and its continuation lines (indented) — the synopsis, set verbatim;
 *   blank-line separated paragraphs of plain lines;
 *   items "  TERM  description" (two spaces in, two or more after TERM; one after an option with its argument),
 *   continued by lines indented further;
 *   any other indented line — kept as it is, on a line of its own.
 */
export function helpToRoff(help: string): { synopsis: string; body: string } {
  const synopsis: string[] = [];
  const out: string[] = [];
  const lines = help.replace(/\n+$/, '').split('\n');
  let i = 0;
  if (lines[0]?.startsWith('Usage: ')) {
    synopsis.push('.nf');
    while (i < lines.length && lines[i] !== '') {
      synopsis.push(line(`\\fB${escape(lines[i]!.replace(/^Usage: |^ +/, ''))}\\fR`));
      i++;
    }
    synopsis.push('.fi');
  }
  let paragraph: string[] = [];
  let item: { term: string; text: string[] } | undefined;
  const flush = () => {
    if (paragraph.length > 0) out.push('.PP', ...paragraph.map((l) => line(escape(l))));
    paragraph = [];
    if (item) out.push('.TP', line(`\\fB${escape(item.term)}\\fR`), ...item.text.map((l) => line(escape(l))));
    item = undefined;
  };
  for (; i < lines.length; i++) {
    const text = lines[i]!;
    const isItem = itemLine(text);
    const more = /^ {3,}(\S.*)$/.exec(text);
    if (text.trim() === '') {
      flush();
    } else if (isItem) {
      flush();
      item = { term: isItem[1]!, text: [isItem[2]!] };
    } else if (more && item) {
      item.text.push(more[1]!);
    } else if (/^\s/.test(text)) {
      flush();
      out.push('.br', line(escape(text.trim())));
    } else {
      if (item) flush();
      paragraph.push(text);
    }
  }
  flush();
  return { synopsis: synopsis.join('\n'), body: out.join('\n') };
}

// --- Markdown ----------------------------------------------------------------------------------------------------

/** Inline Markdown: `code` and **bold** in bold, *emphasis* in italics, [text](link) as its text. */
export function inline(text: string): string {
  const parts: string[] = [];
  const pattern = /`([^`]+)`|\*\*(.+?)\*\*|(?<![\w*])\*(?!\s)(.+?)\*(?![\w*])|\[([^\]]+)\]\(([^)]+)\)/g;
  let at = 0;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    parts.push(escape(text.slice(at, m.index)));
    if (m[1] !== undefined) parts.push(`\\fB${escape(m[1])}\\fR`);
    else if (m[2] !== undefined) parts.push(`\\fB${escape(m[2])}\\fR`);
    else if (m[3] !== undefined) parts.push(`\\fI${escape(m[3])}\\fR`);
    else parts.push(escape(m[4]!));
    at = m.index + m[0].length;
  }
  parts.push(escape(text.slice(at)));
  return parts.join('');
}

/** Cells of a Markdown table row `| a | b |` (neither a `|` inside backticks nor `\|` splits). */
export function cells(row: string): string[] {
  const out: string[] = [];
  let cell = '';
  let code = false;
  const body = row.trim().replace(/^\|/, '').replace(/\|$/, '');
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch === '`') code = !code;
    if (ch === '\\' && body[i + 1] === '|') {
      cell += '|';
      i++;
    } else if (ch === '|' && !code) {
      out.push(cell.trim());
      cell = '';
    } else cell += ch;
  }
  out.push(cell.trim());
  return out;
}

/**
 * Markdown (the subset docs/*.md use: headings, paragraphs, one level of - and 1. lists with indented
 * continuations, fenced code, tables) in roff. `#` and `##` become .SH (upper case, as man pages spell section
 * names), deeper ones .SS. A table becomes a list: the first cell the tag, each other cell after its column's header.
 */
export function markdownToRoff(markdown: string): string {
  const out: string[] = [];
  const lines = markdown.split('\n');
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length > 0) out.push(...paragraph.map((l) => line(inline(l))));
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    const heading = /^(#{1,4}) +(.*)$/.exec(text);
    if (text.startsWith('```')) {
      flush();
      out.push('.PP', '.RS 4', '.nf');
      for (i++; i < lines.length && !lines[i]!.startsWith('```'); i++) out.push(line(escape(lines[i]!)));
      out.push('.fi', '.RE');
    } else if (heading) {
      flush();
      const level = heading[1]!.length;
      const title = heading[2]!.trim().replace(/`/g, '');
      out.push(level <= 2 ? `.SH ${arg(title.toUpperCase())}` : `.SS ${arg(title)}`);
    } else if (/^\s*\|/.test(text)) {
      flush();
      const rows: string[][] = [];
      for (; i < lines.length && /^\s*\|/.test(lines[i]!); i++) rows.push(cells(lines[i]!));
      i--;
      const [header, ...body] = rows;
      for (const row of body) {
        if (row.every((cell) => /^:?-+:?$/.test(cell))) continue;
        out.push('.TP', line(inline(row[0] ?? '')));
        const rest = row
          .slice(1)
          .map((cell, k) => (cell !== '' && row.length > 2 && header?.[k + 1] ? `${header[k + 1]}: ${cell}` : cell))
          .filter((cell) => cell !== '');
        for (const cell of rest) out.push(line(inline(cell)), '.br');
        if (out[out.length - 1] === '.br') out.pop();
      }
      out.push('.PP');
    } else if (/^\s*(-|\d+\.) /.test(text)) {
      flush();
      const m = /^\s*(-|\d+\.) +(.*)$/.exec(text)!;
      out.push(`.IP ${m[1] === '-' ? '\\(bu' : m[1]!} 4`, line(inline(m[2]!)));
    } else if (text.trim() === '') {
      flush();
      if (out.length > 0 && !/^\.(SH|SS|PP|TP)/.test(out[out.length - 1]!)) out.push('.PP');
    } else {
      paragraph.push(text.trim());
    }
  }
  flush();
  return out.filter((l) => l !== '').join('\n');
}

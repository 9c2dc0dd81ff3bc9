// A plain-text table for the bench report: measure, figure, detail (wrapped to the terminal).

export class Table {
  private readonly rows: [string, string, string][] = [];

  /** `echo` gets every row as it is added, so a run that dies later still leaves its figures. */
  constructor(private readonly echo?: (line: string) => void) {}

  row(measure: string, figure: string, detail = ''): void {
    this.rows.push([measure, figure, detail]);
    this.echo?.(`${measure.trim()}: ${figure} — ${detail}`);
  }

  /** As a Markdown table (bench/RESULTS.md): `|` in a cell escaped. */
  markdown(): string {
    const cell = (x: string): string => x.trim().replace(/\|/g, '\\|');
    return ['| measure | figure | detail |', '|---|---|---|', ...this.rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
  }

  render(width = Math.max(100, process.stdout.columns ?? 140)): string {
    const head: [string, string, string] = ['measure', 'figure', 'detail'];
    const all = [head, ...this.rows];
    const w0 = Math.max(...all.map((r) => r[0].length));
    const w1 = Math.max(...all.map((r) => r[1].length));
    const w2 = Math.max(30, width - w0 - w1 - 6);
    const out: string[] = [];
    const line = (r: [string, string, string]): void => {
      const chunks = wrap(r[2], w2);
      out.push(`${r[0].padEnd(w0)} | ${r[1].padEnd(w1)} | ${chunks[0] ?? ''}`.trimEnd());
      for (const c of chunks.slice(1)) out.push(`${''.padEnd(w0)} | ${''.padEnd(w1)} | ${c}`);
    };
    line(head);
    out.push(`${'-'.repeat(w0)}-+-${'-'.repeat(w1)}-+-${'-'.repeat(Math.min(w2, 40))}`);
    for (const r of this.rows) line(r);
    return out.join('\n');
  }
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const word of text.split(/\s+/)) {
    if (cur && cur.length + 1 + word.length > width) {
      out.push(cur);
      cur = word;
    } else cur = cur ? `${cur} ${word}` : word;
  }
  if (cur) out.push(cur);
  return out;
}

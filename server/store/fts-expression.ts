/** An FTS5 MATCH expression: every whole word, then the word being typed as a prefix; each quoted. */
export function ftsExpression(terms: { words: string[]; prefix: string | null }): string | null {
  const quote = (t: string) => `"${t.replace(/"/g, '""')}"`;
  const parts = terms.words.map(quote);
  if (terms.prefix) parts.push(`${quote(terms.prefix)}*`);
  return parts.length ? parts.join(' ') : null;
}

/** The same for PostgreSQL's to_tsquery: every whole word, then the word being typed as a `:*` prefix. */
export function prefixTsQuery(terms: { words: string[]; prefix: string | null }): string | null {
  const quote = (t: string) => `'${t.replace(/'/g, "''")}'`;
  const parts = terms.words.map(quote);
  if (terms.prefix) parts.push(`${quote(terms.prefix)}:*`);
  return parts.length ? parts.join(' & ') : null;
}

/**
 * The registry's XML, record by record. Every GAR table is one root element holding one
 * self-closing element per record, every value in an attribute (the XSDs in ../shared/gar/,
 * SOURCES.md): so records are read with one pattern instead of a general XML parser, which is
 * several times faster at the hundreds of gigabytes of the full archive. Attributes are read by
 * name from the record's text, any attribute the XSDs declare (or a future one) included;
 * whitespace between attributes may be anything (some publishers pretty-print).
 */
import type { Readable } from 'node:stream';
import { DataError } from '../index-build.js';

/** A record longer than this is not a registry record (the longest real ones, normative documents, are a few KB). */
export const MAX_RECORD_CHARS = 256 * 1024;

const RECORD = /<([A-Za-z_][\w.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;

export interface RecordStats {
  records: number;
  bytes: number;
  /** Text between records that is not a record (breaks the XSD): skipped, counted. */
  unreadable: number;
}

/**
 * Yields the attribute text of every `<tag …/>` record of the stream. Text that never becomes a
 * record within MAX_RECORD_CHARS stops the read with a DataError (a binary or HTML file, a cut).
 */
export async function* readRecords(stream: Readable, tag: string, stats: RecordStats, onBytes?: (bytes: number) => void): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  let pending = '';
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    stats.bytes += chunk.length;
    onBytes?.(chunk.length);
    pending += decoder.decode(chunk, { stream: true });
    let end = 0;
    RECORD.lastIndex = 0;
    for (let m = RECORD.exec(pending); m; m = RECORD.exec(pending)) {
      if (m.index > end && /[^\s]/.test(pending.slice(end, m.index).replace(/<\?[^>]*\?>|<\/[^>]*>|<!--[\s\S]*?-->/g, ''))) stats.unreadable++;
      end = RECORD.lastIndex;
      if (m[1] === tag && m[3] === '/') {
        stats.records++;
        yield m[2];
      }
    }
    pending = pending.slice(end);
    // What is left is the start of a record still arriving, or text that is no record at all.
    const open = pending.indexOf('<');
    if (open > 0) {
      if (/[^\s]/.test(pending.slice(0, open))) stats.unreadable++;
      pending = pending.slice(open);
    } else if (open < 0 && /[^\s]/.test(pending)) {
      stats.unreadable++;
      pending = '';
    }
    if (pending.length > MAX_RECORD_CHARS) throw new DataError(`a ${tag} record longer than ${MAX_RECORD_CHARS / 1024} KB: not registry XML`);
  }
  pending += decoder.decode();
  if (/[^\s]/.test(pending.replace(/<\/[^>]*>/g, ''))) stats.unreadable++;
}

const ENTITIES: Record<string, string> = { quot: '"', amp: '&', lt: '<', gt: '>', apos: "'" };

/** An attribute's value in a record's attribute text, entities decoded; null when absent. */
export function attr(record: string, name: string): string | null {
  const needle = `${name}="`;
  let at = record.indexOf(needle);
  while (at > 0 && !isSpace(record.charCodeAt(at - 1))) at = record.indexOf(needle, at + 1);
  let value: string;
  if (at > 0) {
    const start = at + needle.length;
    value = record.slice(start, record.indexOf('"', start));
  } else {
    // Spaces around "=", or single quotes: both legal XML, rare; the slow path.
    const m = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(record);
    if (!m) return null;
    value = m[1] ?? m[2];
  }
  return value.includes('&') ? value.replace(/&(quot|amp|lt|gt|apos|#\d+|#x[0-9a-f]+);/gi, decodeEntity) : value;
}

function decodeEntity(whole: string, name: string): string {
  if (name[0] !== '#') return ENTITIES[name.toLowerCase()] ?? whole;
  const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
  return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : whole;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/**
 * A copy of a value that shares no memory with the record text it was read from. V8 keeps a
 * slice of 13 characters or more as a view of its parent string: one kept FIAS id would keep a
 * whole chunk of the file alive, and a region of millions of houses its whole XML.
 */
export function detach(value: string): string;
export function detach(value: string | null): string | null;
export function detach(value: string | null): string | null {
  return value === null || value.length < 13 ? value : Buffer.from(value, 'utf8').toString('utf8');
}

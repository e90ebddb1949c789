/**
 * The houses of an import, held until each gets its city, in columns rather than one object
 * each: every text (street, city, house number, корпус, region, postcode) is kept once and
 * referred to by number — a street's name repeats for each of its houses, "1" for thousands of
 * them — and positions are 1e-7-degree integers. About 32 bytes a house instead of ~160, which
 * is what lets a region with a million and a half houses import within a gigabyte.
 */
import type { AddressRecord } from './address-record.js';

const NONE = 0;
const NO_POSITION = -(2 ** 31);
const TEXT_COLUMNS = ['street', 'city', 'house', 'block', 'region', 'postcode'] as const;
type TextColumn = (typeof TEXT_COLUMNS)[number];

export class HouseColumns {
  /** Texts by number; 0 is "none". */
  private readonly texts: string[] = [''];
  private readonly numbers = new Map<string, number>();
  private columns: Record<TextColumn, Uint32Array> = fresh(1024);
  private lats = new Int32Array(1024);
  private lons = new Int32Array(1024);
  private size = 0;

  get length(): number {
    return this.size;
  }

  push(r: AddressRecord): void {
    if (this.size === this.lats.length) this.grow();
    const at = this.size++;
    for (const column of TEXT_COLUMNS) this.columns[column][at] = this.number(r[column] ?? null);
    this.lats[at] = r.lat === null ? NO_POSITION : Math.round(r.lat * 1e7);
    this.lons[at] = r.lon === null ? NO_POSITION : Math.round(r.lon * 1e7);
  }

  /** Each house as a record again, one at a time. */
  *records(): Generator<AddressRecord> {
    for (let at = 0; at < this.size; at++) {
      const text = (column: TextColumn) => {
        const n = this.columns[column][at];
        return n === NONE ? null : this.texts[n];
      };
      const positioned = this.lats[at] !== NO_POSITION;
      yield {
        street: text('street')!,
        city: text('city'),
        house: text('house')!,
        block: text('block'),
        region: text('region'),
        postcode: text('postcode'),
        lat: positioned ? this.lats[at] / 1e7 : null,
        lon: positioned ? this.lons[at] / 1e7 : null,
      };
    }
  }

  clear(): void {
    this.columns = fresh(0);
    this.lats = new Int32Array(0);
    this.lons = new Int32Array(0);
    this.size = 0;
    this.texts.length = 1;
    this.numbers.clear();
  }

  private number(text: string | null): number {
    if (text === null || text === '') return NONE;
    let n = this.numbers.get(text);
    if (n === undefined) {
      n = this.texts.push(text) - 1;
      this.numbers.set(text, n);
    }
    return n;
  }

  private grow(): void {
    const capacity = this.lats.length * 2;
    const columns = fresh(capacity);
    for (const column of TEXT_COLUMNS) columns[column].set(this.columns[column]);
    const [lats, lons] = [new Int32Array(capacity), new Int32Array(capacity)];
    lats.set(this.lats);
    lons.set(this.lons);
    [this.columns, this.lats, this.lons] = [columns, lats, lons];
  }
}

function fresh(capacity: number): Record<TextColumn, Uint32Array> {
  return Object.fromEntries(TEXT_COLUMNS.map((c) => [c, new Uint32Array(capacity)])) as Record<TextColumn, Uint32Array>;
}

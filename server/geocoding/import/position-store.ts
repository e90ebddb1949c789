/**
 * Positions by OpenStreetMap id, kept compactly while an extract streams by: 16 bytes an entry in
 * typed arrays instead of ~100 in a Map of arrays, so a regional extract's tens of millions of
 * nodes fit in memory. Extracts list ids in ascending order (osmium sorts them), so a lookup is a
 * binary search; an id out of order goes to a small Map on the side.
 */
export class PositionStore {
  private ids = new Float64Array(1024);
  private lats = new Int32Array(1024);
  private lons = new Int32Array(1024);
  private size = 0;
  private readonly unsorted = new Map<number, [number, number]>();

  get count(): number {
    return this.size + this.unsorted.size;
  }

  set(id: number, lat: number, lon: number): void {
    if (this.size && id <= this.ids[this.size - 1]) {
      this.unsorted.set(id, [lat, lon]);
      return;
    }
    if (this.size === this.ids.length) this.grow();
    this.ids[this.size] = id;
    // 1e-7 degrees (about 1 cm): OpenStreetMap's own precision.
    this.lats[this.size] = Math.round(lat * 1e7);
    this.lons[this.size] = Math.round(lon * 1e7);
    this.size++;
  }

  get(id: number): [number, number] | undefined {
    let lo = 0;
    let hi = this.size - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const at = this.ids[mid];
      if (at === id) return [this.lats[mid] / 1e7, this.lons[mid] / 1e7];
      if (at < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return this.unsorted.get(id);
  }

  private grow(): void {
    const capacity = Math.ceil(this.ids.length * 1.5);
    const ids = new Float64Array(capacity);
    const lats = new Int32Array(capacity);
    const lons = new Int32Array(capacity);
    ids.set(this.ids);
    lats.set(this.lats);
    lons.set(this.lons);
    [this.ids, this.lats, this.lons] = [ids, lats, lons];
  }
}

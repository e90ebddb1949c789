/**
 * A comb: one ring of `teeth` thin spikes side by side, no crossing — the probes' worst shape for
 * a self-crossing check that compares edges overlapping in x. 2,499 teeth make 10,000 positions.
 */
export function comb(lon: number, lat: number, teeth: number): Array<[number, number]> {
  const ring: Array<[number, number]> = [];
  const w = 0.01 / teeth;
  for (let i = 0; i < teeth; i++) ring.push([lon + i * w, lat], [lon + i * w, lat + 0.05], [lon + (i + 0.5) * w, lat + 0.05], [lon + (i + 0.5) * w, lat + 0.0001]);
  ring.push([lon + 0.01, lat], [lon + 0.01, lat - 0.001], [lon, lat - 0.001], [lon, lat]);
  return ring;
}

/**
 * What `npm run data -- update` does for each registry region, from the region's own date
 * (data-operations.ts planRegistry): the deltas it lacks in order, a release without a delta
 * skipped when no region needs it, and a region that cannot be brought up by deltas read again from
 * the newest full archive.
 */
import { describe, expect, it } from 'vitest';
import { planRegistry } from '../../server/address-data/data-operations.js';
import { DataError } from '../../server/address-data/index-build.js';
import type { GarRelease } from '../../server/address-data/gar/releases.js';

const r = (version: string, full: boolean, delta: boolean): GarRelease => ({ version, text: null, fullUrl: full ? `https://m/${version}/gar_xml.zip` : null, deltaUrl: delta ? `https://m/${version}/gar_delta_xml.zip` : null });
const shape = (plan: ReturnType<typeof planRegistry>) => ({ full: plan.full, from: plan.fullRelease?.version ?? null, deltas: plan.deltas.map((d) => [d.release.version, d.regions]) });

describe('the update plan', () => {
  const list = [r('20230630', true, true), r('20230703', true, true), r('20230706', true, true), r('20230710', true, true)];

  it('brings regions added at different releases each from its own date', () => {
    expect(shape(planRegistry([77, 99], { 99: '20230703', 77: '20230706' }, list, 14))).toEqual({
      full: [],
      from: null,
      deltas: [
        ['20230706', [99]],
        ['20230710', [77, 99]],
      ],
    });
  });

  it('has nothing to do when every region is at the newest release', () => {
    expect(shape(planRegistry([99], { 99: '20230710' }, list, 14))).toEqual({ full: [], from: null, deltas: [] });
  });

  it('skips a release without a delta for a region already past it; a region that needs it is read again in full', () => {
    const gapped = [r('20230630', true, true), r('20230703', false, false), r('20230706', true, true), r('20230710', true, true)];
    const past = planRegistry([99], { 99: '20230703' }, gapped, 14);
    expect(shape(past)).toEqual({ full: [], from: null, deltas: [['20230706', [99]], ['20230710', [99]]] });
    const needs = planRegistry([77, 99], { 77: '20230630', 99: '20230706' }, gapped, 14);
    expect(shape(needs)).toEqual({ full: [77], from: '20230710', deltas: [['20230710', [99]]] });
    expect(needs.notes.join('\n')).toMatch(/region 77: release 20230703 publishes no delta; read again from the full archive of 20230710/);
  });

  it('reads a region again when its next delta is further than the gap allows, or when it is older than the list', () => {
    const late = [r('20230601', true, true), ...list];
    expect(shape(planRegistry([99], { 99: '20230601' }, late, 14))).toEqual({ full: [99], from: '20230710', deltas: [] });
    expect(planRegistry([99], { 99: '20230601' }, late, 14).notes[0]).toMatch(/a gap of 29 days between 20230601 and the next delta \(20230630\), over DATA_MAX_DELTA_GAP_DAYS 14/);
    expect(shape(planRegistry([99], { 99: '20230601' }, late, 30)).deltas).toHaveLength(4);
    expect(planRegistry([99], { 99: '20230101' }, list.slice(1), 400).notes[0]).toMatch(/older than every release listed/);
  });

  it('reads a region that is not in the index yet from the newest full archive', () => {
    expect(shape(planRegistry([77, 99], { 99: '20230710' }, list, 14))).toEqual({ full: [77], from: '20230710', deltas: [] });
  });

  it('says so when a region cannot be brought up and no newer full archive is listed', () => {
    const noFull = [r('20230630', false, true), r('20230703', false, false), r('20230706', false, true)];
    expect(() => planRegistry([99], { 99: '20230630' }, noFull, 14)).toThrow(DataError);
    expect(() => planRegistry([99], { 99: '20230630' }, noFull, 14)).toThrow(/region 99: release 20230703 publishes no delta, and the list has no newer full archive/);
  });
});

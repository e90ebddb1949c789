/** The verdict from an address's parts (server/geocoding/verdict.ts), in every answer. */
import { describe, expect, it } from 'vitest';
import { verdictOf } from '../../server/geocoding/verdict.js';
import { addressData } from '../../server/geocoding/answer-builder.js';

describe('verdict', () => {
  it('tells a house with its own point from one with its street or settlement point', () => {
    expect(verdictOf({ street: 'Янгеля', house: '14', qc_geo: '0' })).toBe('house');
    expect(verdictOf({ street: 'Янгеля', house: '14', qc_geo: '2' })).toBe('house_approximate');
    expect(verdictOf({ street: 'Янгеля', house: '14', qc_geo: '3' })).toBe('house_approximate');
    expect(verdictOf({ street: 'Янгеля', house: '14', qc_geo: '5' })).toBe('house_approximate');
    expect(verdictOf({ city: 'Байконур', street: 'Янгеля' })).toBe('street');
    expect(verdictOf({ city: 'Байконур' })).toBe('settlement');
    expect(verdictOf({})).toBe('not_found');
  });

  it('is in every answer the builder makes', () => {
    const d = addressData({ country: 'Россия', region: 'Москва', city: 'Москва', street: 'ул Тверская', house: '1', lat: 55.76, lon: 37.61 });
    expect(d.verdict).toBe('house');
    expect(d.qc_complete).toBeNull(); // as DaData's suggestions
    expect(addressData({ country: 'Россия', city: 'Москва', street: 'ул Тверская' }).verdict).toBe('street');
  });
});

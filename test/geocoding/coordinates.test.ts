/**
 * A point pasted into the address field (geocoding/coordinates.ts): plain coordinates, degrees
 * and minutes, and map links as Yandex, Google, 2GIS and OpenStreetMap write them.
 */
import { describe, expect, it } from 'vitest';
import { pointOf } from '../../server/geocoding/coordinates.js';

const RED_SQUARE = { lat: 55.7539, lon: 37.6208 };

describe('a point pasted instead of an address', () => {
  it.each([
    ['55.7539, 37.6208', RED_SQUARE],
    ['55.7539 37.6208', RED_SQUARE],
    ['55.7539;37.6208', RED_SQUARE],
    ['https://yandex.ru/maps/213/moscow/?ll=37.6208%2C55.7539&z=17', RED_SQUARE],
    ['https://yandex.ru/maps/?pt=37.6208,55.7539&z=18&l=map', RED_SQUARE],
    ['https://yandex.ru/maps/?whatshere%5Bpoint%5D=37.6208%2C55.7539&whatshere%5Bzoom%5D=17', RED_SQUARE],
    ['https://www.google.com/maps/@55.7539,37.6208,17z', RED_SQUARE],
    ['https://www.google.com/maps/place/Red+Square/@55.75,37.61,15z/data=!4m6!3m5!1s0x0:0x0!8m2!3d55.7539!4d37.6208', RED_SQUARE],
    ['https://maps.google.com/maps?q=55.7539,37.6208', RED_SQUARE],
    ['https://2gis.ru/moscow?m=37.6208%2C55.7539%2F16', RED_SQUARE],
    ['https://2gis.ru/moscow/geo/4504235282786583/37.6208,55.7539', RED_SQUARE],
    ['https://www.openstreetmap.org/?mlat=55.7539&mlon=37.6208#map=17/55.75/37.62', RED_SQUARE],
    ['https://www.openstreetmap.org/#map=17/55.7539/37.6208', RED_SQUARE],
  ])('%s', (text, point) => {
    expect(pointOf(text)).toEqual(point);
  });

  it('reads degrees, minutes and seconds in either language, either order', () => {
    const p = pointOf('55°45′14″N 37°37′15″E')!;
    expect(p.lat).toBeCloseTo(55.7539, 3);
    expect(p.lon).toBeCloseTo(37.6208, 3);
    expect(pointOf('37°37\'15" в.д. 55°45\'14" с.ш.')).toEqual(p);
    expect(pointOf('33°52′S 151°12′E')!.lat).toBeCloseTo(-33.8667, 3);
  });

  it.each(['москва тверская 7', 'аргуновская 18/2', '18.5 20.5 30.5', '0.0, 0.0', '95.1, 37.6', 'https://yandex.ru/maps/-/CDq7zW3K', 'https://example.com/?ll=37.6,55.7', '12.5'])('"%s" is not a point', (text) => {
    expect(pointOf(text)).toBeNull();
  });
});

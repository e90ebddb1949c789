/** Zones drawn for the tests over the Samara sample (test/fixtures/samara-sample.csv), as Yandex's constructor writes them. */
const square = (lon: number, lat: number, dLon: number, dLat: number) => [[[lon, lat], [lon + dLon, lat], [lon + dLon, lat + dLat], [lon, lat + dLat], [lon, lat]]];

export const SAMARA_ZONES = JSON.stringify({
  type: 'FeatureCollection',
  metadata: { name: 'Самара', creator: 'Yandex Map Constructor' },
  features: [
    // Авроры 110–114А (50.192–50.193, 53.1867–53.1875)
    { type: 'Feature', id: 0, geometry: { type: 'Polygon', coordinates: square(50.185, 53.18, 0.015, 0.015) }, properties: { description: 'Авроры - 200 рублей.\nБесплатная доставка - при заказе от 3000 рублей\n60 минут', fill: '#56db40' } },
    // Ленинградская 5 and 7 (50.100–50.101, 53.200–53.201)
    { type: 'Feature', id: 1, geometry: { type: 'Polygon', coordinates: square(50.09, 53.19, 0.02, 0.02) }, properties: { description: 'Центр\n400', fill: '#1e98ff' } },
  ],
});

/** The same area with a "no delivery" zone over Ленинградская put first. */
export const SAMARA_ZONES_CLOSED = JSON.stringify({
  type: 'FeatureCollection',
  features: [
    { type: 'Feature', geometry: { type: 'Polygon', coordinates: square(50.099, 53.199, 0.004, 0.004) }, properties: { description: 'Перекрыто\nНе доставляем' } },
    ...JSON.parse(SAMARA_ZONES).features,
  ],
});

/**
 * Fake geocoding providers on 127.0.0.1, answering in each provider's documented response shape
 * (shared/geocoding-notes.md), with modes for errors and slow answers.
 */
import express from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ProviderMode = 'ok' | 'slow' | 'error500' | 'error401' | 'error429';

export class FakeProviders {
  mode: ProviderMode = 'ok';
  slowMs = 3000;
  readonly calls: Array<{ provider: string; query: Record<string, unknown>; headers: Record<string, unknown>; body: unknown }> = [];
  private server: Server | null = null;

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  callsTo(provider: string): number {
    return this.calls.filter((c) => c.provider === provider).length;
  }

  async start(): Promise<this> {
    const app = express();
    app.use(express.json());
    const gate = (provider: string): express.RequestHandler => async (req, res, next) => {
      this.calls.push({ provider, query: { ...req.query }, headers: { ...req.headers }, body: req.body });
      if (this.mode === 'slow') await new Promise((r) => setTimeout(r, this.slowMs));
      if (this.mode === 'error500') return void res.status(500).json({ message: 'internal error' });
      if (this.mode === 'error401') return void res.status(401).json({ message: 'bad key' });
      if (this.mode === 'error429') return void res.status(429).json({ message: 'too many requests' });
      next();
    };

    app.post('/suggestions/api/4_1/rs/suggest/address', gate('dadata'), (req, res) => {
      if (req.get('authorization') !== 'Token dadata-test-key') return void res.status(401).json({ message: 'Zero balance or invalid key' });
      res.json({
        suggestions: [
          {
            value: 'г Самара, ул Авроры, д 110',
            unrestricted_value: '443017, г Самара, Советский р-н, ул Авроры, д 110',
            data: {
              postal_code: '443017', country: 'Россия', country_iso_code: 'RU', region_with_type: 'Самарская обл', city_with_type: 'г Самара',
              settlement_with_type: null, street_with_type: 'ул Авроры', house: '110', block: null, flat: null,
              fias_id: 'b0ef3ac0-2d9a-4d53-a2f7-1a3c1e2f7e31', kladr_id: '6300000100000', geo_lat: '53.1867', geo_lon: '50.1920', qc_geo: '0',
            },
          },
          {
            value: 'г Самара, ул Авроры',
            unrestricted_value: '443000, г Самара, ул Авроры',
            data: { postal_code: null, country: 'Россия', region_with_type: 'Самарская обл', city_with_type: 'г Самара', street_with_type: 'ул Авроры', house: null, geo_lat: '53.1900', geo_lon: '50.1800' },
          },
        ],
      });
    });

    app.get('/v1/suggest', gate('yandex'), (req, res) => {
      if (req.query.apikey !== 'yandex-test-key') return void res.status(403).json({ statusCode: 403, error: 'Forbidden', message: 'Invalid key' });
      res.json({
        suggest_reqid: '1700000000000000-123',
        results: [
          {
            title: { text: 'улица Авроры, 110', hl: [{ begin: 0, end: 5 }] },
            subtitle: { text: 'Самара, Россия' },
            tags: ['house'],
            distance: { value: 1000, text: '1 км' },
            address: {
              formatted_address: 'Россия, Самара, улица Авроры, 110',
              component: [
                { name: 'Россия', kind: ['COUNTRY'] },
                { name: 'Приволжский федеральный округ', kind: ['PROVINCE'] },
                { name: 'Самарская область', kind: ['PROVINCE'] },
                { name: 'городской округ Самара', kind: ['AREA'] },
                { name: 'Самара', kind: ['LOCALITY'] },
                { name: 'улица Авроры', kind: ['STREET'] },
                { name: '110', kind: ['HOUSE'] },
              ],
            },
            uri: 'ymapsbm1://geo?data=abc',
          },
        ],
      });
    });

    app.get('/api', gate('photon'), (_req, res) => {
      res.json({
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            geometry: { type: 'Point', coordinates: [50.192, 53.1867] },
            properties: { osm_id: 123, osm_type: 'W', osm_key: 'building', osm_value: 'yes', type: 'house', housenumber: '110', street: 'улица Авроры', postcode: '443017', city: 'Самара', state: 'Самарская область', country: 'Россия', countrycode: 'RU' },
          },
          {
            type: 'Feature',
            geometry: { type: 'Point', coordinates: [50.15, 53.2] },
            properties: { osm_id: 456, osm_type: 'N', osm_key: 'place', osm_value: 'city', type: 'city', name: 'Самара', state: 'Самарская область', country: 'Россия', countrycode: 'RU' },
          },
        ],
      });
    });

    app.get('/search', gate('nominatim'), (_req, res) => {
      res.json([
        {
          place_id: 1, licence: 'Data © OpenStreetMap contributors, ODbL 1.0', osm_type: 'way', osm_id: 123, lat: '53.1867', lon: '50.192',
          category: 'building', type: 'yes', place_rank: 30, importance: 0.1, addresstype: 'building', name: '',
          display_name: '110, улица Авроры, Советский район, Самара, городской округ Самара, Самарская область, 443017, Россия',
          address: { house_number: '110', road: 'улица Авроры', suburb: 'Советский район', city: 'Самара', state: 'Самарская область', postcode: '443017', country: 'Россия', country_code: 'ru' },
        },
      ]);
    });

    this.server = createServer(app);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Clock } from '../clock.js';
import type { Geocoder } from './types.js';
import type { LocalIndex } from './local-index.js';
import { DadataGeocoder } from './providers/dadata.js';
import { YandexGeocoder } from './providers/yandex.js';
import { PhotonGeocoder } from './providers/photon.js';
import { NominatimGeocoder } from './providers/nominatim.js';
import { ResilientGeocoder } from './resilient-geocoder.js';

/** GEOCODER picks the provider; every remote one falls back to the local index. */
export function createGeocoder(options: Config['geocoder'], local: LocalIndex, clock: Clock, log: Logger): Geocoder {
  const t = options.timeoutMs;
  const breaker = { now: () => clock.now() };
  switch (options.provider) {
    case 'local':
      return local;
    case 'dadata':
      return new ResilientGeocoder(new DadataGeocoder(options.dadataKey!, t, options.dadataUrl), local, log, breaker);
    case 'yandex':
      return new ResilientGeocoder(new YandexGeocoder(options.yandexKey!, t, options.yandexSuggestUrl), local, log, breaker);
    case 'photon':
      return new ResilientGeocoder(new PhotonGeocoder(options.photonUrl!, t), local, log, breaker);
    case 'nominatim':
      return new ResilientGeocoder(new NominatimGeocoder(options.nominatimUrl!, t), local, log, breaker);
  }
}

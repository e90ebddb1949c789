/**
 * A typed client written for DaData's API, pointed at our server: react-dadata (npm), whose
 * `DaDataAddressSuggestion` type is what its users' code is compiled against. Its declaration file
 * is read with TypeScript's own parser and every answer of ours, from OpenStreetMap data and from
 * the registry, is checked against each declared key at run time: present (unless optional) and of
 * the declared type. The same answers pass the schema written from DaData's documentation
 * (dadata-api.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { startSamaraApp, type RunningApp } from '../helpers.js';
import { DEMO_ACCOUNT_ID } from '../../server/admin/demo-account.js';
import { IndexBuild } from '../../server/address-data/index-build.js';
import { importGar } from '../../server/address-data/gar/import-gar.js';
import { importRecords } from '../../server/address-data/osm/import-addresses.js';
import { readOsmPbf } from '../../server/address-data/osm/read-osm-pbf.js';
import { BAIKONUR, hasGar } from '../address-data/gar-fixtures.js';
import { hasRealdata, realFile } from '../realdata.js';

const require = createRequire(import.meta.url);
const TYPES = join(dirname(require.resolve('react-dadata/package.json')), 'dist/variants/address/address-types.d.ts');

type Check = (v: unknown) => boolean;

/** Run-time checks for each key of an interface in a declaration file, from its declared types. */
function checksOf(file: string, name: string): Map<string, { optional: boolean; check: Check; declared: string }> {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const aliases = new Map<string, ts.TypeNode>();
  let target: ts.InterfaceDeclaration | null = null;
  source.forEachChild((node) => {
    if (ts.isTypeAliasDeclaration(node)) aliases.set(node.name.text, node.type);
    if (ts.isInterfaceDeclaration(node) && node.name.text === name) target = node;
  });
  const of = (type: ts.TypeNode): Check => {
    if (type.kind === ts.SyntaxKind.StringKeyword) return (v) => typeof v === 'string';
    if (type.kind === ts.SyntaxKind.NumberKeyword) return (v) => typeof v === 'number';
    if (type.kind === ts.SyntaxKind.UnknownKeyword || type.kind === ts.SyntaxKind.AnyKeyword) return () => true;
    if (ts.isLiteralTypeNode(type)) return type.literal.kind === ts.SyntaxKind.NullKeyword ? (v) => v === null : (v) => ts.isStringLiteral(type.literal) && v === type.literal.text;
    if (ts.isUnionTypeNode(type)) {
      const parts = type.types.map(of);
      return (v) => parts.some((p) => p(v));
    }
    if (ts.isArrayTypeNode(type)) return (v) => Array.isArray(v);
    if (ts.isTypeReferenceNode(type)) {
      const ref = type.typeName.getText(source);
      if (ref === 'Nullable' && type.typeArguments?.length === 1) {
        const inner = of(type.typeArguments[0]);
        return (v) => v === null || inner(v);
      }
      const alias = aliases.get(ref);
      if (alias) return of(alias);
      return (v) => typeof v === 'object' && v !== null; // an interface of the same file (metro)
    }
    throw new Error(`a declared type this check does not read: ${type.getText(source)}`);
  };
  const checks = new Map<string, { optional: boolean; check: Check; declared: string }>();
  for (const member of (target as ts.InterfaceDeclaration | null)?.members ?? []) {
    if (!ts.isPropertySignature(member) || !member.type) continue;
    checks.set(member.name.getText(source), { optional: !!member.questionToken, check: of(member.type), declared: member.type.getText(source) });
  }
  return checks;
}

let app: RunningApp;
let key: string;

beforeAll(async () => {
  app = await startSamaraApp();
  key = (await app.system.siteKeyIssuer.create(DEMO_ACCOUNT_ID, 'shop')).key;
  await IndexBuild.run(app.system.config.indexDir, async (build) => {
    if (hasRealdata) await importRecords(build.index, readOsmPbf(realFile('gh-moscow.osm.pbf')), 'import:moscow');
    if (hasGar) await importGar(build, BAIKONUR);
  });
  app.system.servedIndex.refresh();
}, 60_000);
afterAll(() => app?.close());

describe("react-dadata's types accept our answers", () => {
  it('reads its DaDataAddress declaration', () => {
    const checks = checksOf(TYPES, 'DaDataAddress');
    expect(checks.size).toBeGreaterThan(80);
    expect(checks.get('geo_lat')!.check('55.7')).toBe(true);
    expect(checks.get('geo_lat')!.check(55.7)).toBe(false); // our old numbers would have failed here
    expect(checks.get('qc_geo')!.check('6')).toBe(false);
  });

  it('every suggestion from the registry and from OpenStreetMap, in suggest, findById and geolocate', async () => {
    const checks = checksOf(TYPES, 'DaDataAddress');
    const answers: Array<{ value: string; data: Record<string, unknown> }> = [];
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${app.url}/suggestions/api/4_1/rs/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Token ${key}` }, body: JSON.stringify(body) });
      answers.push(...((await res.json()) as { suggestions: typeof answers }).suggestions);
    };
    for (const query of ['самара авроры 110', 'самара ленинградская', 'самара', 'москва аргуновская 18 кв 5', 'москва гончарова', 'байконур гагарина 5', 'байконур гагарина', 'г Байконур, ул Гагарина, ', 'Москва, ']) await post('suggest/address', { query, count: 20 });
    await post('geolocate/address', { lat: 53.1867, lon: 50.192, radius_meters: 300 });
    const registryHouse = answers.find((a) => typeof a.data.house_fias_id === 'string');
    if (registryHouse) await post('findById/address', { query: registryHouse.data.house_fias_id });
    expect(answers.length).toBeGreaterThan(50);
    const wrong: string[] = [];
    for (const answer of answers) {
      for (const [name, { optional, check, declared }] of checks) {
        if (!(name in answer.data) ? !optional : !check(answer.data[name])) wrong.push(`${answer.value}: ${name} = ${JSON.stringify(answer.data[name])}, declared ${declared}`);
      }
    }
    expect(wrong.slice(0, 20)).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PAPER_TYPES, PAPER_TYPE_NAMESPACE, defaultPaperTypeByExternalId, defaultPaperTypeById,
  densityFromBasisWeight, uuidV5,
} from './paper-types.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('densities from US basis weights', () => {
  it('matches the reference: 20# bond 75, 24# bond 90, 60# text 89, 80# cover 216', () => {
    expect(densityFromBasisWeight('bond', 20)).toBe(75);
    expect(densityFromBasisWeight('bond', 24)).toBe(90);
    expect(densityFromBasisWeight('text', 60)).toBe(89);
    expect(densityFromBasisWeight('cover', 80)).toBe(216);
    expect(densityFromBasisWeight('index', 110)).toBe(199);
  });

  it('the catalog carries them under the reference names', () => {
    const bond20 = defaultPaperTypeByExternalId('bond-20#');
    expect(bond20).toMatchObject({ name: '20# Bond/Writing/Ledger', density: 75 });
    expect(defaultPaperTypeByExternalId('bond-24#')?.density).toBe(90);
    expect(defaultPaperTypeByExternalId('text-60#')).toMatchObject({ name: '60# Text/Book', density: 89 });
    expect(defaultPaperTypeByExternalId('cover-80#')).toMatchObject({ name: '80# Cover', density: 216 });
    expect(defaultPaperTypeByExternalId('cover-gloss-#2-80#')).toMatchObject({ name: '80# #2 Gloss Cover', density: 216 });
  });

  it('includes A4 and A3 at 80 g/m² and common metric weights', () => {
    expect(defaultPaperTypeByExternalId('a4-80gsm')).toMatchObject({ name: 'A4 80 g/m²', density: 80 });
    expect(defaultPaperTypeByExternalId('a3-80gsm')?.density).toBe(80);
    expect(defaultPaperTypeByExternalId('metric-120gsm')?.density).toBe(120);
  });

  it('covers bond 16–32#, text 50–100#, cover 65–130#, index 90–140#', () => {
    for (const id of ['bond-16#', 'bond-32#', 'text-50#', 'text-100#', 'cover-65#', 'cover-130#', 'index-90#', 'index-140#']) {
      expect(defaultPaperTypeByExternalId(id), id).toBeDefined();
    }
  });
});

describe('paper type ids', () => {
  it('uuidV5 is RFC 4122 name-based SHA-1 (known vector)', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('are the same on every install: pinned values', () => {
    expect(PAPER_TYPE_NAMESPACE).toBe('0f0c4c1e-7a53-5c6b-9d1f-2b0e6a5c3d47');
    expect(defaultPaperTypeByExternalId('text-60#')?.id).toBe('3bcba9db-9b44-57b0-a49c-e4bb1e891fc6');
    expect(defaultPaperTypeByExternalId('a4-80gsm')?.id).toBe('b37d9f3b-c4b8-5f7a-835e-8cbb80d3479c');
  });

  it('keep the ids the reference shows for default types', () => {
    expect(defaultPaperTypeById('a11c7abc-011e-462f-babb-3c6375fa6473')?.external_id).toBe('cover-gloss-#2-80#');
    expect(defaultPaperTypeById('D3C3E1DF-5E55-4587-9D81-91AC87927424')?.external_id).toBe('bond-20#');
  });

  it('are unique valid UUIDs, with unique external ids and integer densities in range', () => {
    const ids = new Set(DEFAULT_PAPER_TYPES.map((t) => t.id));
    const externalIds = new Set(DEFAULT_PAPER_TYPES.map((t) => t.external_id));
    expect(ids.size).toBe(DEFAULT_PAPER_TYPES.length);
    expect(externalIds.size).toBe(DEFAULT_PAPER_TYPES.length);
    for (const type of DEFAULT_PAPER_TYPES) {
      expect(type.id).toMatch(UUID);
      expect(Number.isInteger(type.density) && type.density >= 1 && type.density <= 2000).toBe(true);
    }
  });
});

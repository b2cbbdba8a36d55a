import { describe, expect, it } from 'vitest';
import { DEFAULT_PROJECT_ID, FORESTRY_PROJECTS, forestryProjectById } from './projects-catalog.ts';

describe('forestry projects catalog', () => {
  it('carries the reference projects with their ids, status and coordinates', () => {
    expect(forestryProjectById('5d3b468f-c0a3-4e7c-bed4-2dcce9d3f0f9')).toMatchObject({
      name: 'Madagascar', status: 'active', forest_latitude: -15.735844444444444, forest_longitude: 46.35879166666667,
    });
    expect(forestryProjectById('692bb68d-64aa-4a79-8a08-d373fb0d8752')).toMatchObject({
      name: 'Ethiopia', status: 'complete', forest_latitude: 6.7029261, forest_longitude: 38.7062503,
    });
  });

  it('defaults to an active project', () => {
    expect(forestryProjectById(DEFAULT_PROJECT_ID)?.status).toBe('active');
  });

  it('lists projects oldest first, with unique UUIDs', () => {
    const created = FORESTRY_PROJECTS.map((p) => p.created_at);
    expect([...created].sort()).toEqual(created);
    expect(FORESTRY_PROJECTS.length).toBeGreaterThanOrEqual(8);
    expect(new Set(FORESTRY_PROJECTS.map((p) => p.id)).size).toBe(FORESTRY_PROJECTS.length);
    for (const p of FORESTRY_PROJECTS) expect(p.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('has real coordinates and content, and links to no outside host', () => {
    for (const p of FORESTRY_PROJECTS) {
      expect(Math.abs(p.forest_latitude)).toBeLessThanOrEqual(90);
      expect(Math.abs(p.forest_longitude)).toBeLessThanOrEqual(180);
      expect(['active', 'complete']).toContain(p.status);
      expect(p.content_introduction.length).toBeGreaterThan(40);
      expect(p.content_body_html).toMatch(/^<h1>/);
      expect(JSON.stringify(p)).not.toMatch(/https?:\/\//);
      expect(p.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    }
  });
});

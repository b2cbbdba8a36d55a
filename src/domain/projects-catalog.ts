// The forestry projects catalog seeded on first start: where the trees of Canopy's certificates are planted.

export interface ForestryProject {
  id: string;
  name: string;
  status: 'active' | 'complete';
  forest_latitude: number;
  forest_longitude: number;
  /** Relative paths of our own assets, or null: the catalog never points at hosts we do not control. */
  content_logo: string | null;
  content_masthead: string | null;
  content_introduction: string;
  content_body_html: string;
  content_images: string[];
  /** The catalog order: GET /forestry/projects sorts by it. */
  created_at: string;
}

/** Where certificates go when an account has selected no (active) project. */
export const DEFAULT_PROJECT_ID = '5d3b468f-c0a3-4e7c-bed4-2dcce9d3f0f9';

function project(
  fields: Omit<ForestryProject, 'content_logo' | 'content_masthead' | 'content_images' | 'content_body_html'> & {
    body: string;
  },
): ForestryProject {
  const { body, ...rest } = fields;
  return {
    ...rest,
    content_logo: null,
    content_masthead: null,
    content_body_html: `<h1>${fields.name}</h1><p>${fields.content_introduction}</p><p>${body}</p>`,
    content_images: [],
  };
}

/** Oldest first. Ids are fixed: Madagascar and Ethiopia keep the PrintReleaf reference ids. */
export const FORESTRY_PROJECTS: readonly ForestryProject[] = Object.freeze([
  project({
    id: '5d3b468f-c0a3-4e7c-bed4-2dcce9d3f0f9',
    name: 'Madagascar',
    status: 'active',
    forest_latitude: -15.735844444444444,
    forest_longitude: 46.35879166666667,
    content_introduction:
      'Madagascar, due to its isolation, is home to plants and animals found nowhere else on Earth, yet most of its original forest has been cleared.',
    body:
      'Planting here restores the mangrove estuaries of the north-west coast around Mahajanga and the dry deciduous forest inland, with local villages growing and tending the seedlings.',
    created_at: '2014-06-01T00:00:00Z',
  }),
  project({
    id: '692bb68d-64aa-4a79-8a08-d373fb0d8752',
    name: 'Ethiopia',
    status: 'complete',
    forest_latitude: 6.7029261,
    forest_longitude: 38.7062503,
    content_introduction:
      'In Ethiopia deforestation has stripped much of the highlands of their tree cover, and with it the soil and springs that farming families depend on.',
    body:
      'This project planted native and agroforestry species with communities in the southern highlands. It is complete and no longer receives new trees.',
    created_at: '2014-09-01T00:00:00Z',
  }),
  project({
    id: '8b2b2289-4176-4fd4-aecd-4c8ffd47d41e',
    name: 'Nepal',
    status: 'active',
    forest_latitude: 27.5291,
    forest_longitude: 84.3542,
    content_introduction:
      "Nepal's lowland Terai and the Chure (Siwalik) foothills have lost forest to clearing and grazing, leaving slopes that wash away in the monsoon.",
    body:
      'Community forest user groups replant native species on degraded hillsides and along riverbanks in the Chitwan region, restoring cover that holds soil and water.',
    created_at: '2016-03-01T00:00:00Z',
  }),
  project({
    id: '844f8d96-9135-4673-b0d8-7c47cefd2a95',
    name: 'Haiti',
    status: 'active',
    forest_latitude: 18.7708,
    forest_longitude: -72.5128,
    content_introduction:
      'Haiti keeps only a small share of its original forest; bare hillsides erode into rivers and the sea.',
    body:
      'Farmers around Arcahaie plant fruit, timber and native trees together, an agroforestry mix that holds the slopes and feeds families while the forest grows back.',
    created_at: '2016-09-01T00:00:00Z',
  }),
  project({
    id: '35b2a660-18f0-4d22-a80a-96349048e1ff',
    name: 'Mozambique',
    status: 'active',
    forest_latitude: -25.77,
    forest_longitude: 32.72,
    content_introduction:
      "Mangroves along Mozambique's coast have been cut for firewood, charcoal and building poles, exposing shores to storms and emptying fisheries.",
    body:
      'Coastal communities replant mangroves in the estuaries north of Maputo Bay, rebuilding the nurseries of fish and shrimp and a natural barrier against storm surges.',
    created_at: '2017-05-01T00:00:00Z',
  }),
  project({
    id: '44c43ab2-b891-4886-92b8-9dee5f77c27b',
    name: 'Kenya',
    status: 'active',
    forest_latitude: -0.5,
    forest_longitude: 35.75,
    content_introduction:
      "The Mau Forest Complex is the largest montane forest in East Africa and one of Kenya's main water towers, feeding rivers that flow to Lake Victoria, Lake Nakuru and Lake Natron.",
    body:
      'Settlement and logging have cleared large parts of it. Planting native trees on cleared land restores the catchment that farms, towns and wildlife downstream rely on.',
    created_at: '2018-04-01T00:00:00Z',
  }),
  project({
    id: 'd7b25019-0204-483b-8115-2be41c3fbc3d',
    name: 'Indonesia',
    status: 'active',
    forest_latitude: -1.15,
    forest_longitude: 136.05,
    content_introduction:
      'On Biak Island, off the north coast of Papua, mangroves and lowland forest have been cleared for timber and farmland.',
    body:
      'Villages raise seedlings and replant mangrove shorelines that shelter young fish and protect the coast, and restore lowland forest inland.',
    created_at: '2019-02-01T00:00:00Z',
  }),
  project({
    id: '1a146be3-6914-4039-b31a-a46b647d2913',
    name: 'Brazil Atlantic Forest',
    status: 'active',
    forest_latitude: -22.55,
    forest_longitude: -42.28,
    content_introduction:
      "Only a small fraction of Brazil's Atlantic Forest (Mata Atlântica), one of the world's richest forests, still stands, much of it in small isolated fragments.",
    body:
      'Replanting native species joins fragments into corridors in the lowlands of Rio de Janeiro state, home of the endangered golden lion tamarin.',
    created_at: '2020-06-01T00:00:00Z',
  }),
]);

export function forestryProjectById(id: string): ForestryProject | undefined {
  return FORESTRY_PROJECTS.find((p) => p.id === id.toLowerCase());
}

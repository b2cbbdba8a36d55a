// Overview: pages and trees by period, monthly volume, the project planted in, the latest certificates (the account's and below), CO2.
import { get } from '../api.ts';
import { BarChart } from '../chart.tsx';
import { Empty, Loaded, Panel } from '../components.tsx';
import * as f from '../format.ts';
import { useLoad } from '../hooks.ts';
import type { PageProps } from '../layout.tsx';
import type { Certificate, Project, VolumePeriod } from '../types.ts';
import { WORLD_PATH } from '../world.ts';

const PERIODS = [
  ['mtd', 'This month'],
  ['qtd', 'This quarter'],
  ['ytd', 'This year'],
  ['ltd', 'Lifetime'],
] as const;

const LATEST = 5;

/** The periods from the first with pages on: a chart does not spend half its width on empty months. */
export function fromFirstData<T extends { pages: number }>(periods: T[]): T[] {
  const first = periods.findIndex((p) => p.pages > 0);
  return first === -1 ? [] : periods.slice(first);
}

function twelveMonthsAgo(): string {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 11, 1)).toISOString().slice(0, 10);
}

export function OverviewPage({ account, api, session }: PageProps) {
  const volume = useLoad(() => get<VolumePeriod[]>(api(`/volume?start_date=${twelveMonthsAgo()}`)), [api('')]);
  // A dealer's own ledger is usually empty: its customers hold the certificates, so the subtree's are listed.
  const certificates = useLoad(() => get<Certificate[]>(api(`/certificates?include_descendants=true&limit=${LATEST}`)), [api('')]);
  const projects = useLoad(() => get<Project[]>(api('/projects')), [api('')]);
  const grams = session.co2_grams_per_page;

  return (
    <>
      <section class="figures" aria-label="Pages and trees">
        {PERIODS.map(([key, label]) => (
          <div class="figure" key={key} data-testid={`figure-${key}`}>
            <h2>{label}</h2>
            <p class="big">{f.pages(account[`${key}_pages`])} <span>pages</span></p>
            <p class="trees">{f.trees(account[`${key}_trees`])} <span>trees</span></p>
            <p class="co2">{f.co2Kg(account[`${key}_pages`], grams)} kg CO₂e</p>
          </div>
        ))}
      </section>
      <p class="muted small co2-note">
        CO₂-equivalent of the paper at {grams} g per standard page, the figure PaperCut documents for its environmental
        impact dashboard (set <code>CANOPY_CO2_GRAMS_PER_PAGE</code> to change it). Pages are standard pages: US Letter at 75 g/m².
      </p>

      <div class="grid">
        <div>
          <Panel title="Monthly volume" id="volume-title">
            <Loaded state={volume} what="monthly volume">
              {(all) => {
                const periods = fromFirstData(all);
                return periods.length === 0 ? (
                  <Empty>No pages yet in the last twelve months.</Empty>
                ) : (
                  <BarChart
                    title="Standard pages per month"
                    bars={{
                      x: periods.map((p) => Date.parse(p.date) / 1000),
                      y: periods.map((p) => p.pages),
                      label: 'Pages',
                      xName: 'Month',
                      step: 30 * 86_400,
                      tickEachBar: true,
                      xLabel: (s) => f.monthLabel(new Date(s * 1000).toISOString()),
                    }}
                  />
                );
              }}
            </Loaded>
          </Panel>
          <Panel title={account.role === 'customer' ? 'Latest certificates' : 'Latest certificates of your customers'} id="certificate-title">
            <Loaded state={certificates} what="certificates">
              {(list) =>
                list.length === 0 ? (
                  <Empty>No certificate yet: one is issued when a month closes with pages in it.</Empty>
                ) : (
                  <ul class="list certificates" data-testid="latest-certificates">
                    {list.map((c) => (
                      <li key={c.id}>
                        <span>
                          <strong>{c.account_name ?? account.name}</strong> · {f.day(c.date)} · {f.trees(c.trees, 3)} trees · {f.pages(c.pages)} standard pages
                        </span>
                        <span class="actions"><a href={c.url} target="_blank" rel="noopener">View</a> <a href={c.pdf_url} download class="button">PDF</a></span>
                      </li>
                    ))}
                  </ul>
                )}
            </Loaded>
          </Panel>
        </div>
        <Panel title="Reforestation project" id="project-title">
          <Loaded state={projects} what="the project">
            {(selected) => {
              const project = selected.find((p) => p.status === 'active') ?? certificates.data?.[0]?.project ?? null;
              return project ? <ProjectCard project={project} /> : (
                <Empty>No project selected: trees go to the installation's default project.</Empty>
              );
            }}
          </Loaded>
        </Panel>
      </div>
    </>
  );
}

/** The project's place on an equirectangular world map, and its coordinates. */
function ProjectCard({ project }: { project: Project }) {
  const lat = project.forest_latitude;
  const lon = project.forest_longitude;
  return (
    <div class="project">
      <p class="project-name">{project.name}</p>
      {project.content_introduction && <p class="muted">{project.content_introduction}</p>}
      {lat !== null && lon !== null ? (
        <>
          <svg class="map" viewBox="-180 -90 360 180" role="img" aria-label={`${project.name} at ${f.coordinates(lat, lon)}`}>
            <rect x="-180" y="-90" width="360" height="180" class="sea" />
            <path d={WORLD_PATH} class="land" />
            {[-60, -30, 0, 30, 60].map((y) => <line key={`y${y}`} x1="-180" x2="180" y1={y} y2={y} class={y === 0 ? 'equator' : 'graticule'} />)}
            {[-120, -60, 0, 60, 120].map((x) => <line key={`x${x}`} y1="-90" y2="90" x1={x} x2={x} class="graticule" />)}
            <circle cx={lon} cy={-lat} r="5" class="pin" />
          </svg>
          <p>
            <span data-testid="coordinates">{f.coordinates(lat, lon)}</span> ·{' '}
            <a href={`https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=6/${lat}/${lon}`} target="_blank" rel="noopener noreferrer">Open in a map</a>
          </p>
        </>
      ) : (
        <p class="muted">No coordinates published for this project.</p>
      )}
    </div>
  );
}

// Benchmark of the upstream sandbox at scale: 10,000 customers x 20 devices, startup, memory, a year of reads, truth.

import { startSandbox } from '../sandbox/server.ts';

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 10_000);
const DEVICES = Number(process.env.BENCH_DEVICES ?? 20);
const NOW = '2026-06-30T12:00:00Z';

const mb = (n: number) => `${(n / 1_048_576).toFixed(0)} MB`;
const ms = (t0: number) => `${(performance.now() - t0).toFixed(0)} ms`;
const memory = () => {
  const m = process.memoryUsage();
  return `RSS ${mb(m.rss)}, heap used ${mb(m.heapUsed)}`;
};

const t0 = performance.now();
const sb = await startSandbox({ seed: 7, customers: CUSTOMERS, devicesPerCustomer: DEVICES, now: NOW });
console.log(`world: ${CUSTOMERS} customers x ${DEVICES} devices (${CUSTOMERS * DEVICES} devices), ${sb.world.options.start} .. ${NOW}`);
console.log(`startup (world + 3 servers):        ${ms(t0)}; ${memory()}`);

const pt = sb.printtracker;
const key = { 'x-api-key': pt.apiKey };

async function yearOfReads(customerId: string): Promise<{ reads: number; bytes: number; requests: number }> {
  const entity = (await (await fetch(`${pt.url}/v1/entity/${customerId}?includeChildren=true`, { headers: key })).json()) as { children: { id: string }[] };
  let reads = 0;
  let bytes = 0;
  let requests = 1;
  for (const id of [customerId, ...entity.children.map((c) => c.id)]) {
    const res = await fetch(`${pt.url}/v1/entity/${id}/meter?start=2025-06-30T12:00:00Z&end=${NOW}`, { headers: key });
    const text = await res.text();
    requests++;
    bytes += text.length;
    reads += (JSON.parse(text) as unknown[]).length;
  }
  return { reads, bytes, requests };
}

for (const [label, index] of [['cold', 4321], ['warm, another customer', 8765], ['warm, same customer', 8765]] as const) {
  const t = performance.now();
  const r = await yearOfReads(pt.customerEntityIds[index]);
  console.log(`one year of meter reads, 1 customer (${label}): ${ms(t)}; ${r.reads} reads, ${(r.bytes / 1e6).toFixed(1)} MB JSON, ${r.requests} requests`);
}

let t = performance.now();
const truth = await (await fetch(`${pt.url}/__sandbox/truth?entity=${pt.customerEntityIds[4321]}&start=2025-06-30&end=2026-06-30`)).json() as { pages: number }[];
console.log(`truth, 1 customer x 1 year (HTTP):  ${ms(t)}; ${truth.length} rows, ${truth.reduce((a, r) => a + r.pages, 0)} pages`);

t = performance.now();
let pages = 0;
for (let g = 0; g < 100; g++) {
  const rows = sb.world.meterTruth(sb.world.fleet.customer(g * 97), { start: '2026-06-01', end: '2026-06-30' });
  pages += rows.reduce((a, r) => a + r.pages, 0);
}
console.log(`truth, 100 customers x 30 days:     ${ms(t)}; ${pages} pages`);

t = performance.now();
const devices = await (await fetch(`${pt.url}/v1/entity/${pt.dealerEntityId}/device?includeChildren=true&limit=1000&page=150`, { headers: key })).json() as unknown[];
console.log(`dealer devices, page 150 of 1000:   ${ms(t)}; ${devices.length} devices`);

t = performance.now();
const current = await (await fetch(`${pt.url}/v1/entity/${pt.customerEntityIds[4321]}/currentMeter?includeChildren=true&limit=1000`, { headers: key })).json() as unknown[];
console.log(`current meters, 1 customer:         ${ms(t)}; ${current.length} reads`);

t = performance.now();
const jobs = await (await fetch(`${sb.pharos.url}/ReportApi/Reports/PrintJobs/2026-06-01/2026-06-30`, { headers: { authorization: `bearer ${sb.pharos.tenants[4321].key}` } })).json() as unknown[];
console.log(`Pharos print jobs, 1 tenant x 30 d: ${ms(t)}; ${jobs.length} jobs`);

const stats = await (await fetch(`${pt.url}/__sandbox/stats`)).json() as { total: number };
console.log(`Print Tracker requests served:      ${stats.total}`);
console.log(`after the run:                      ${memory()}`);
await sb.close();

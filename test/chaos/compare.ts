// The chaos scenario's verdict: a customer's ledger against the sandbox truth, as readable differences.

export interface CustomerLedger {
  index: number;
  accountId: string;
  entity: string;
  /** Activation day of its feed; null while it has none. */
  activated: string | null;
  /** End of phase 1 (every month open): deposits and truth per UTC day. */
  atPhase1?: Map<string, number>;
  truthPhase1?: Map<string, number>;
  /** Month-close transaction pages right after the close, and at the end. */
  transactionsAtClose?: number;
  transactions?: number;
  /** The end: deposits and truth per UTC day, and the account's ltd_pages. */
  deposits?: Map<string, number>;
  truth?: Map<string, number>;
  ltdPages?: number;
}

export interface LedgerDiff {
  problems: string[];
  daysCompared: number;
  pagesCompared: number;
}

const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const total = (m: Map<string, number>, keep: (day: string) => boolean = () => true) => [...m].filter(([d]) => keep(d)).reduce((n, [, p]) => n + p, 0);

/** Day-by-day differences where `keep` says a day must match; each line names the day, both figures and the gap. */
function dayDiff(label: string, got: Map<string, number>, want: Map<string, number>, keep: (day: string) => boolean) {
  const days = [...new Set([...got.keys(), ...want.keys()])].filter(keep).sort();
  const lines: string[] = [];
  for (const day of days) {
    const g = got.get(day) ?? 0;
    const w = want.get(day) ?? 0;
    if (g !== w) lines.push(`  ${day}: deposited ${g}, truth ${w} (${g - w > 0 ? '+' : ''}${g - w})`);
  }
  return { days: days.length, pages: total(want, keep), problem: lines.length ? `${label}: ${lines.length} day(s) differ\n${lines.join('\n')}` : null };
}

/**
 * Phase 1 (all months open): every day equals the truth. At the end: closed months hold exactly their
 * month-close transactions, unchanged since the close; every open day after the first equals the truth
 * (the first open day also carries what closed days gained later); open deposits plus transactions equal
 * the truth's total, and so does ltd_pages.
 */
export function ledgerDiff(customers: CustomerLedger[], closedThrough: string): LedgerDiff {
  const out: LedgerDiff = { problems: [], daysCompared: 0, pagesCompared: 0 };
  const firstOpen = nextDay(closedThrough);
  for (const c of customers) {
    if (!c.activated) continue;
    const who = `customer ${c.index} (account ${c.accountId}, entity ${c.entity}, from ${c.activated})`;
    if (c.atPhase1 && c.truthPhase1) {
      const d = dayDiff(`${who}, end of phase 1 (every month open)`, c.atPhase1, c.truthPhase1, () => true);
      out.daysCompared += d.days;
      out.pagesCompared += d.pages;
      if (d.problem) out.problems.push(d.problem);
    }
    if (!c.deposits || !c.truth) continue;
    const closedDeposits = total(c.deposits, (d) => d <= closedThrough);
    const transactions = c.transactions ?? 0;
    if (closedDeposits !== transactions) out.problems.push(`${who}: closed months hold ${closedDeposits} deposited pages but ${transactions} in month-close transactions`);
    if (c.transactionsAtClose !== undefined && c.transactionsAtClose !== transactions) {
      out.problems.push(`${who}: month-close transactions changed after the close: ${c.transactionsAtClose} -> ${transactions}`);
    }
    const d = dayDiff(`${who}, open days after ${firstOpen}`, c.deposits, c.truth, (day) => day > firstOpen);
    out.daysCompared += d.days;
    if (d.problem) out.problems.push(d.problem);
    const truthTotal = total(c.truth);
    const ledgerTotal = total(c.deposits, (day) => day > closedThrough) + transactions;
    out.pagesCompared += truthTotal;
    if (ledgerTotal !== truthTotal) {
      out.problems.push(`${who}: open deposits + month-close transactions = ${ledgerTotal}, truth's total ${truthTotal} (${ledgerTotal - truthTotal > 0 ? '+' : ''}${ledgerTotal - truthTotal}); first open day ${firstOpen} holds ${c.deposits.get(firstOpen) ?? 0} (truth ${c.truth.get(firstOpen) ?? 0} + carried)`);
    }
    if (c.ltdPages !== undefined && c.ltdPages !== truthTotal) out.problems.push(`${who}: ltd_pages ${c.ltdPages}, truth's total ${truthTotal}`);
  }
  return out;
}

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderCertificatePdf, type CertificatePdfInput } from './certificate-pdf.ts';

const certificate: CertificatePdfInput = {
  certificateId: 'ae630937-e15b-4da5-98de-bb68eefe2a12',
  accountName: 'Acme Widgets Café',
  periodLabel: 'February 2021',
  date: '2021-02-28T23:59:59Z',
  pages: 2_469_134,
  trees: '296.29608',
  projectName: 'Madagascar',
  projectLocation: 'Mahajanga',
  issuedAt: new Date('2021-03-03T02:00:00Z'),
};

// pdfkit writes text with the standard fonts as TJ arrays of hex WinAnsi strings split by kerning
// numbers: "[<4163> 30 <6d65> 0] TJ". Joining the strings of each array gives the line back.
function textOf(pdf: Buffer): string[] {
  const source = pdf.toString('latin1');
  return [...source.matchAll(/\[([^\]]*)\]\s*TJ/g)].map((op) =>
    [...op[1].matchAll(/<([0-9a-fA-F]*)>/g)].map((hex) => Buffer.from(hex[1], 'hex').toString('latin1')).join(''),
  );
}

const hasPdftotext = spawnSync('pdftotext', ['-v']).error === undefined;

describe('certificate PDF', () => {
  it('is a one-page PDF with the account, period, pages, trees (3 decimals), project and id', async () => {
    const pdf = await renderCertificatePdf(certificate, { compress: false });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.toString('latin1')).toMatch(/\/Count 1\b/);
    const lines = textOf(pdf);
    expect(lines).toContain('CERTIFICATE OF REFORESTATION');
    expect(lines).toContain('Acme Widgets Café');
    expect(lines).toContain('offset the paper it printed in February 2021');
    expect(lines).toContain('2,469,134');
    expect(lines).toContain('296.296');
    expect(lines).toContain('Madagascar (Mahajanga)');
    expect(lines).toContain('Certificate ae630937-e15b-4da5-98de-bb68eefe2a12');
    expect(lines).toContain('Issued by Canopy');
    expect(lines.join('\n')).toContain('28 February 2021');
  });

  it('renders the same bytes for the same certificate', async () => {
    const [a, b] = await Promise.all([renderCertificatePdf(certificate), renderCertificatePdf(certificate)]);
    expect(a.equals(b)).toBe(true);
  });

  it('compresses by default', async () => {
    const [compressed, plain] = await Promise.all([
      renderCertificatePdf(certificate),
      renderCertificatePdf(certificate, { compress: false }),
    ]);
    expect(compressed.toString('latin1')).toContain('/FlateDecode');
    expect(compressed.length).toBeLessThan(plain.length);
  });

  it('keeps long names on one page and replaces characters the built-in fonts lack', async () => {
    const pdf = await renderCertificatePdf(
      { ...certificate, accountName: `${'Very Long Account Name '.repeat(8)}株式会社`, trees: 0.00012, pages: 1 },
      { compress: false },
    );
    expect(pdf.toString('latin1')).toMatch(/\/Count 1\b/);
    const lines = textOf(pdf);
    expect(lines.some((line) => line.endsWith('Name ????'))).toBe(true);
    expect(lines).toContain('0.000');
    expect(lines).toContain('1');
  });

  it.skipIf(!hasPdftotext)('reads back through pdftotext (poppler-utils), compressed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'canopy-cert-'));
    try {
      const file = join(dir, 'certificate.pdf');
      writeFileSync(file, await renderCertificatePdf(certificate));
      const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
      for (const expected of ['Acme Widgets Café', 'February 2021', '2,469,134', '296.296', 'Madagascar',
        'ae630937-e15b-4da5-98de-bb68eefe2a12', 'Issued by Canopy']) {
        expect(text).toContain(expected);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

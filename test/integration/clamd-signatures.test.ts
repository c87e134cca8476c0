import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { zipSync } from 'fflate';
import { ClamdScanner } from '../../libs/adapters/clamd/clamd-scanner';
import { testWorkerConfig } from '../support/config';
import { EICAR } from '../support/samples';

const TESTFILES_DIR = '/usr/share/clamav-testfiles';

describe("clamd with the project's signature database", () => {
  const config = testWorkerConfig();
  const scanner = new ClamdScanner({ host: config.CLAMD_HOST, port: config.CLAMD_PORT, timeoutMs: 30_000 });
  const scan = (bytes: Uint8Array) => scanner.scan(Readable.from([Buffer.from(bytes)]));

  it('when the EICAR test file is streamed, then clamd finds it', async () => {
    expect(await scan(EICAR)).toEqual({ verdict: 'infected', signatures: [expect.stringMatching(/EICAR/)] });
  });

  it('when EICAR is inside a zip, then clamd still finds it', async () => {
    const zip = zipSync({ 'homework/notes.txt': EICAR, 'readme.txt': Buffer.from('nothing to see') });
    expect(await scan(zip)).toEqual({ verdict: 'infected', signatures: [expect.stringMatching(/EICAR/)] });
  });

  it('when EICAR is inside a zip inside a zip, then clamd still finds it', async () => {
    const inner = zipSync({ 'eicar.com': EICAR });
    const outer = zipSync({ 'inner.zip': inner }, { level: 9 });
    expect((await scan(outer)).verdict).toBe('infected');
  });

  it('when a harmless text is streamed, then the verdict is clean', async () => {
    expect(await scan(Buffer.from('Field trip permission slips are due Friday.\n'))).toEqual({
      verdict: 'clean',
    });
  });

  it("when each of Debian's clamav-testfiles is streamed, then every one is found", async () => {
    const files = readdirSync(TESTFILES_DIR).filter((f) => !f.endsWith('.md'));
    expect(files.length).toBeGreaterThan(30);
    const clean: string[] = [];
    for (const file of files) {
      const verdict = await scan(readFileSync(join(TESTFILES_DIR, file)));
      if (verdict.verdict !== 'infected') clean.push(file);
    }
    expect(clean).toEqual([]);
  });
});

import { zipSync } from 'fflate';
import {
  archiveMemberProblem,
  MAX_ARCHIVE_MEMBERS,
  MAX_UNPACKED_BYTES,
} from '../../../libs/attachments/archive-members';
import { minimalDocx, minimalPdf, minimalPng } from '../../support/sample-files';

const utf8 = (text: string) => new TextEncoder().encode(text);
const zip = (files: Record<string, Uint8Array>, level: 0 | 6 = 6) => Buffer.from(zipSync(files, { level }));
/** A Windows PE stub: what the sniffer sees first in every .exe. */
const peExecutable = Buffer.concat([Buffer.from('MZ\x90\x00', 'latin1'), Buffer.alloc(200, 0x41)]);
const elfExecutable = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.alloc(200)]);

describe('judging the members of an uploaded archive', () => {
  it('when every member is an allowed document, then the archive is accepted (nested once too)', () => {
    const homework = zip({
      'sheet.pdf': minimalPdf(),
      'photo.png': minimalPng(),
      'notes.txt': utf8('Read p. 4'),
    });
    expect(archiveMemberProblem(homework)).toBeNull();
    expect(archiveMemberProblem(zip({ 'week1.zip': homework, 'essay.docx': minimalDocx() }))).toBeNull();
    expect(archiveMemberProblem(zip({ 'folder/': new Uint8Array(0), 'folder/a.txt': utf8('a') }))).toBeNull();
  });

  it.each([
    ['a Windows executable renamed to .pdf', { 'worksheet.pdf': peExecutable }],
    ['a Windows executable, stored uncompressed', { 'game.dat': peExecutable }],
    ['an ELF binary', { 'tool.bin': elfExecutable }],
    ['a shell script by its shebang', { 'readme.txt': utf8('#!/bin/sh\nrm -rf ~\n') }],
    ['a batch file by its content', { 'readme.txt': utf8('@ECHO OFF\r\ndel *.*\r\n') }],
    ['a PowerShell script by name', { 'setup.ps1': utf8('Write-Host hi') }],
    ['a JavaScript file by name', { 'docs/open.js': utf8('alert(1)') }],
    ['a batch file by name', { 'run.BAT': utf8('echo hi') }],
    ['an executable inside a nested archive', { 'inner.zip': zip({ 'a.exe.pdf': peExecutable }) }],
  ])('when the archive holds %s, then it is refused', (_case, files) => {
    for (const level of [0, 6] as const) {
      expect(archiveMemberProblem(zip(files, level))).toMatch(/executable/i);
    }
  });

  it('when archives are nested three deep, then the archive is refused', () => {
    const deepest = zip({ 'a.txt': utf8('a') });
    expect(archiveMemberProblem(zip({ 'b.zip': deepest }))).toBeNull();
    expect(archiveMemberProblem(zip({ 'c.zip': zip({ 'b.zip': deepest }) }))).toMatch(/nested/);
  });

  it('when a member that looks like an archive unpacks to more than the budget, then the upload is refused', () => {
    const fakeArchive = new Uint8Array(MAX_UNPACKED_BYTES + 1);
    fakeArchive.set([0x50, 0x4b, 0x03, 0x04]);
    const bomb = zip({ 'inner.zip': fakeArchive });
    expect(bomb.length).toBeLessThan(1024 * 1024);
    expect(archiveMemberProblem(bomb)).toMatch(/too much data/);
  });

  it('when a huge member compresses to almost nothing, then only its head is unpacked and it is judged by it', () => {
    const zeros = zip({ 'blank.bin': new Uint8Array(MAX_UNPACKED_BYTES + 1) });
    expect(archiveMemberProblem(zeros)).toMatch(/not accepted/);
    const text = new Uint8Array(MAX_UNPACKED_BYTES + 1).fill(0x61);
    expect(archiveMemberProblem(zip({ 'long.txt': text }))).toBeNull();
  });

  it('when the archive holds more files than the limit, nested ones counted, then it is refused', () => {
    const files = (n: number, prefix: string) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}.txt`, utf8('a')]));
    expect(archiveMemberProblem(zip(files(MAX_ARCHIVE_MEMBERS, 'f')))).toBeNull();
    expect(archiveMemberProblem(zip(files(MAX_ARCHIVE_MEMBERS + 1, 'f')))).toMatch(/more than/);
    const half = zip(files(MAX_ARCHIVE_MEMBERS / 2, 'n'));
    expect(archiveMemberProblem(zip({ ...files(MAX_ARCHIVE_MEMBERS / 2, 'f'), 'inner.zip': half }))).toMatch(
      /more than/,
    );
  });

  it('when a member is of a type refused at the top level, then the archive is refused too', () => {
    const legacyOffice = Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(512, 1)]);
    expect(archiveMemberProblem(zip({ 'old.doc': legacyOffice }))).toMatch(/not accepted/);
  });

  it('when the archive has an encrypted member or no directory, then it is refused', () => {
    const encrypted = zip({ 'a.txt': utf8('secret') }, 0);
    const central = encrypted.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    encrypted.writeUInt16LE(encrypted.readUInt16LE(central + 8) | 1, central + 8);
    expect(archiveMemberProblem(encrypted)).toMatch(/encrypted/);
    expect(archiveMemberProblem(zip({ 'a.txt': utf8('a') }).subarray(0, 30))).toMatch(/damaged/);
  });

  it.each([
    ['a parent-folder segment', '../evil.txt'],
    ['an absolute path', '/etc/cron.d/job.txt'],
    ['a backslash', 'a\\..\\evil.txt'],
  ])(
    'when a member name holds %s, then the archive is refused, as a roster export would be',
    (_case, name) => {
      expect(archiveMemberProblem(zip({ [name]: utf8('hello') }))).toMatch(/outside its folder/);
    },
  );

  it('when a local header names another file than the directory, then the archive is refused as damaged', () => {
    const forged = zip({ 'notes.txt': utf8('hello') }, 0);
    const local = forged.indexOf(Buffer.from('notes.txt'));
    forged.write('notes.exe', local, 'latin1');
    expect(archiveMemberProblem(forged)).toMatch(/damaged/);
  });

  it('when a nested archive declares more than the budget, then the archive is refused', () => {
    const inner = zip({ 'a.txt': utf8('a') }, 0);
    const declared = zip({ 'inner.zip': inner }, 0);
    const central = declared.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    declared.writeUInt32LE(MAX_UNPACKED_BYTES + 1, central + 24);
    expect(archiveMemberProblem(declared)).toMatch(/too much data/);
  });
});

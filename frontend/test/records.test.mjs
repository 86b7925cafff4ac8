// The record page's pure parts (docs/protocols/records.md): the record key and envelope against
// the values tests/records/test_vectors.py checks in Python, the attachment type and size rules,
// and PDF cleaning with pdf-lib. tests/browser/test_records.py runs the built page end to end.
//
//   node --test frontend/test/

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PDFDocument } from 'pdf-lib';
import { seal } from '../src/crypto/box.js';
import { PURPOSE_RECORD } from '../src/crypto/labels.js';
import { decodeRecord, encodeRecord, RECORD_CTX, recordKey } from '../src/records/envelope.js';
import { AttachmentError, check, hasExif, MAX_FILE_BYTES, sniff, stripPdf } from '../src/records/files.js';

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const SID = Uint8Array.from({ length: 32 }, (_, i) => i);

test('the record key and envelope match Python', () => {
  const key = recordKey(SID);
  assert.equal(hex(key), 'a2b624ff72e9cc76dccdec92a73c309db1c58d81c98c72c4f170f578afd09a38');
  const box = seal(key, PURPOSE_RECORD, RECORD_CTX, new Uint8Array(0), new TextEncoder().encode('{"v":1}'), { nonce: new Uint8Array(12) });
  assert.equal(hex(box), '01000000000000000000000000051d8158e6a8dbf047d45f03fb0b3f22bb43095c02b877');
});

test('a record survives encoding with its attachments', () => {
  const bytes = Uint8Array.from({ length: 70000 }, (_, i) => i % 251);
  const plaintext = encodeRecord({ answers: { what: 'é ✓', extra: 'dropped' }, attachments: [{ name: 'a.png', type: 'image/png', bytes }] });
  const back = decodeRecord(plaintext);
  assert.equal(back.answers.what, 'é ✓');
  assert.equal(back.answers.when, '');
  assert.equal('extra' in back.answers, false);
  assert.deepEqual(back.attachments[0].bytes, bytes);
  assert.throws(() => decodeRecord(new TextEncoder().encode('{"v":2}')), /unknown format/);
});

const JPEG = Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0, 16);
const PNG = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
const WEBP = new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 ');
const PDF = new TextEncoder().encode('%PDF-1.7\n');

test('content is recognised from its first bytes', () => {
  assert.equal(sniff(JPEG), 'image/jpeg');
  assert.equal(sniff(PNG), 'image/png');
  assert.equal(sniff(WEBP), 'image/webp');
  assert.equal(sniff(PDF), 'application/pdf');
  assert.equal(sniff(new TextEncoder().encode('MZ\x90\0')), null);
  assert.equal(sniff(new TextEncoder().encode('RIFF\0\0\0\0WAVE')), null);
});

test('disguised, unknown and oversized files are refused with a message', () => {
  check({ name: 'a.jpg', type: 'image/jpeg', size: 10, head: JPEG });
  const refuse = (file, total, pattern) => assert.throws(() => check(file, total), (err) => err instanceof AttachmentError && pattern.test(err.message));
  refuse({ name: 'a.png', type: 'image/png', size: 10, head: JPEG }, 0, /says it is a PNG picture, but its content is not/);
  refuse({ name: 'a.exe', type: 'application/x-msdownload', size: 10, head: JPEG }, 0, /cannot be attached/);
  refuse({ name: 'big.jpg', type: 'image/jpeg', size: MAX_FILE_BYTES + 1, head: JPEG }, 0, /larger than 10 MB/);
  refuse({ name: 'more.jpg', type: 'image/jpeg', size: 6e6, head: JPEG }, 20e6, /over 25 MB in all/);
});

test('an Exif segment is found before the image data only', () => {
  const exif = Uint8Array.of(0xff, 0xd8, 0xff, 0xe1, 0, 8, ...new TextEncoder().encode('Exif\0\0'));
  assert.equal(hasExif(exif), true);
  assert.equal(hasExif(Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0xda, 0, 2)), false);
  assert.equal(hasExif(PNG), false);
});

test('a PDF loses its Info dictionary, its XMP and its ID', async () => {
  const doc = await PDFDocument.create();
  doc.addPage([200, 200]);
  doc.setAuthor('Secret Author');
  doc.setProducer('Secret Producer');
  const xmp = doc.context.stream('<x:xmpmeta xmlns:x="adobe:ns:meta/">secret-xmp</x:xmpmeta>', { Type: 'Metadata', Subtype: 'XML' });
  doc.catalog.set(doc.context.obj('Metadata'), doc.context.register(xmp));
  const dirty = await doc.save({ useObjectStreams: false });
  assert.match(Buffer.from(dirty).toString('latin1'), /\/Author[\s\S]*secret-xmp/);
  const clean = await stripPdf(dirty, 'letter.pdf');
  const text = Buffer.from(clean.bytes).toString('latin1');
  for (const hidden of ['/Author', '/Producer', 'secret-xmp', '/Info', '/Metadata', '/ID']) {
    assert.equal(text.includes(hidden), false, hidden);
  }
  assert.equal((await PDFDocument.load(clean.bytes)).getPageCount(), 1);
});

test('an unreadable PDF is refused with a message', async () => {
  await assert.rejects(stripPdf(new TextEncoder().encode('%PDF-1.7 nothing'), 'x.pdf'), AttachmentError);
});

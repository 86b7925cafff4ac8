// Attachments of a survivor's record (docs/protocols/records.md §5): what may be attached, how
// large, and how hidden details are removed on the survivor's own device before sealing.
// Pictures are re-encoded through a canvas (no EXIF, no GPS, no comments survive); PDFs lose
// their Info dictionary, every XMP metadata stream and their file identifier (pdf-lib).

import { PDFDict, PDFDocument, PDFName, PDFRawStream, PDFRef, PDFStream } from 'pdf-lib';

export const MAX_FILE_BYTES = 10 * 1000 * 1000;
export const MAX_TOTAL_BYTES = 25 * 1000 * 1000;

export const TYPES = Object.freeze({
  'image/jpeg': 'JPEG picture',
  'image/png': 'PNG picture',
  'image/webp': 'WebP picture',
  'application/pdf': 'PDF document',
});

export class AttachmentError extends Error {}

const startsWith = (bytes, prefix, at = 0) => prefix.every((b, i) => bytes[at + i] === b);
const ascii = (text) => [...text].map((c) => c.charCodeAt(0));

/** The type the content really is, from its first bytes; null when none we accept. */
export function sniff(bytes) {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'image/webp';
  if (startsWith(bytes, ascii('%PDF-'))) return 'application/pdf';
  return null;
}

/** Refuses what may not be attached, with a message a person can act on. */
export function check({ name, type, size, head }, totalSoFar = 0) {
  if (!Object.hasOwn(TYPES, type)) {
    throw new AttachmentError(`“${name}” cannot be attached: only JPEG, PNG or WebP pictures and PDF documents can.`);
  }
  if (size > MAX_FILE_BYTES) {
    throw new AttachmentError(`“${name}” is larger than 10 MB. Attach a smaller copy, or a screenshot of the part that matters.`);
  }
  if (totalSoFar + size > MAX_TOTAL_BYTES) {
    throw new AttachmentError(`“${name}” would take this record over 25 MB in all. Save it in a second record instead.`);
  }
  const real = sniff(head);
  if (real !== type) {
    throw new AttachmentError(`“${name}” says it is a ${TYPES[type]}, but its content is not. It was not attached.`);
  }
}

/** JPEG APP1 "Exif" segment present? (used to check the re-encoded output) */
export function hasExif(bytes) {
  if (!startsWith(bytes, [0xff, 0xd8])) return false;
  let i = 2;
  while (i + 4 <= bytes.length && bytes[i] === 0xff) {
    const marker = bytes[i + 1];
    if (marker === 0xda || marker === 0xd9) return false; // start of scan: no more metadata
    const length = (bytes[i + 2] << 8) | bytes[i + 3];
    if (marker === 0xe1 && startsWith(bytes, ascii('Exif'), i + 4)) return true;
    i += 2 + length;
  }
  return false;
}

async function canvasBytes(canvas, type) {
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, type, 0.92));
  if (!blob) throw new AttachmentError('This browser could not re-draw the picture. It was not attached.');
  return new Uint8Array(await blob.arrayBuffer());
}

/** Re-draws a picture so that only its pixels remain (EXIF, GPS and comments are dropped). */
export async function stripImage(bytes, type, name) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes], { type }));
  } catch {
    throw new AttachmentError(`“${name}” could not be opened as a picture. It was not attached.`);
  }
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  canvas.getContext('2d').drawImage(bitmap, 0, 0);
  bitmap.close();
  let out = await canvasBytes(canvas, type);
  // A browser that cannot write this type falls back to PNG; record what it really wrote.
  const written = sniff(out);
  if (written === null || written === 'application/pdf' || hasExif(out)) {
    throw new AttachmentError(`“${name}” could not be cleaned of hidden details. It was not attached.`);
  }
  return { bytes: out, type: written };
}

const METADATA_KEYS = ['Metadata', 'PieceInfo'].map((k) => PDFName.of(k));

/** Drops the Info dictionary, every /Metadata and /PieceInfo and the file ID of a PDF. */
export async function stripPdf(bytes, name) {
  let out;
  try {
    out = await rewritePdf(bytes);
  } catch (err) {
    const encrypted = /encrypt/i.test(String(err?.message ?? err));
    throw new AttachmentError(
      encrypted
        ? `“${name}” is password-protected, so its hidden details cannot be removed. Remove the password and attach it again.`
        : `“${name}” could not be read as a PDF, so its hidden details cannot be removed. It was not attached.`,
    );
  }
  const text = new TextDecoder('latin1').decode(out);
  if (/\/(Info|Metadata|Author|Producer|Creator)\b|<x:xmpmeta/.test(text)) {
    throw new AttachmentError(`“${name}” still carries hidden details after cleaning. It was not attached.`);
  }
  return { bytes: out, type: 'application/pdf' };
}

async function rewritePdf(bytes) {
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
  const context = doc.context;
  const drop = [];
  const info = context.trailerInfo.Info;
  if (info instanceof PDFRef) drop.push(info);
  context.trailerInfo.Info = undefined;
  context.trailerInfo.ID = undefined;
  for (const [, object] of context.enumerateIndirectObjects()) {
    const dict = object instanceof PDFDict ? object : object instanceof PDFStream || object instanceof PDFRawStream ? object.dict : null;
    if (!dict) continue;
    for (const key of METADATA_KEYS) {
      const value = dict.get(key);
      if (value instanceof PDFRef) drop.push(value);
      dict.delete(key);
    }
  }
  for (const ref of drop) context.delete(ref);
  return doc.save({ useObjectStreams: false, updateFieldAppearances: false });
}

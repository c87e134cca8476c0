/**
 * `Content-Disposition: attachment` with the name twice (RFC 6266): an ASCII-only `filename` for old
 * clients and the exact UTF-8 name as `filename*` (RFC 8187). `attachment` makes browsers save the
 * file instead of rendering it in the app's origin.
 */
export function attachmentDisposition(filename: string): string {
  const asciiFallback = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\%]/g, '_');
  return `attachment; filename="${asciiFallback}"; filename*=UTF-8''${encodeRfc8187(filename)}`;
}

function encodeRfc8187(value: string): string {
  return encodeURIComponent(value).replace(
    /['()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

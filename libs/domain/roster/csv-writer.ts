const NEEDS_QUOTES = /[",\r\n]/;

export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** RFC 4180 text with CRLF line breaks, optionally with a UTF-8 byte order mark. */
export function toCsv(header: readonly string[], rows: readonly (readonly string[])[], bom = false): string {
  const lines = [header, ...rows].map((row) => row.map(csvField).join(','));
  return `${bom ? '\uFEFF' : ''}${lines.join('\r\n')}\r\n`;
}

/**
 * The attachment allow-list. A type is decided by content sniffing alone; the extensions listed here
 * are only used to give the stored name an extension that matches the content (the first one is
 * appended when the uploaded name carries none of them), never to accept a file.
 */
export const ALLOWED_TYPES = {
  pdf: { mime: 'application/pdf', extensions: ['pdf'] },
  docx: {
    mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    extensions: ['docx'],
  },
  xlsx: { mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', extensions: ['xlsx'] },
  pptx: {
    mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    extensions: ['pptx'],
  },
  odt: { mime: 'application/vnd.oasis.opendocument.text', extensions: ['odt'] },
  ods: { mime: 'application/vnd.oasis.opendocument.spreadsheet', extensions: ['ods'] },
  odp: { mime: 'application/vnd.oasis.opendocument.presentation', extensions: ['odp'] },
  rtf: { mime: 'application/rtf', extensions: ['rtf'] },
  text: { mime: 'text/plain; charset=utf-8', extensions: ['txt', 'text', 'md', 'log'] },
  csv: { mime: 'text/csv; charset=utf-8', extensions: ['csv'] },
  png: { mime: 'image/png', extensions: ['png'] },
  jpeg: { mime: 'image/jpeg', extensions: ['jpg', 'jpeg'] },
  gif: { mime: 'image/gif', extensions: ['gif'] },
  webp: { mime: 'image/webp', extensions: ['webp'] },
  heic: { mime: 'image/heic', extensions: ['heic', 'heif'] },
  mp3: { mime: 'audio/mpeg', extensions: ['mp3'] },
  m4a: { mime: 'audio/mp4', extensions: ['m4a'] },
  mp4: { mime: 'video/mp4', extensions: ['mp4', 'm4v'] },
  zip: { mime: 'application/zip', extensions: ['zip'] },
} as const satisfies Record<string, { mime: string; extensions: readonly [string, ...string[]] }>;

export type FileKind = keyof typeof ALLOWED_TYPES;

export function mimeOf(kind: FileKind): string {
  return ALLOWED_TYPES[kind].mime;
}

export function extensionsOf(kind: FileKind): readonly string[] {
  return ALLOWED_TYPES[kind].extensions;
}

export function canonicalExtensionOf(kind: FileKind): string {
  return ALLOWED_TYPES[kind].extensions[0];
}

/**
 * Names that make a text file run when opened on a family's computer. Text content is accepted by
 * sniffing, so a script without a shebang would pass as "plain text" — the declared name is therefore
 * consulted to refuse (never to accept).
 */
export const SCRIPT_EXTENSIONS: ReadonlySet<string> = new Set([
  'bat',
  'cmd',
  'com',
  'exe',
  'scr',
  'pif',
  'ps1',
  'psm1',
  'psd1',
  'js',
  'jse',
  'mjs',
  'cjs',
  'vbs',
  'vbe',
  'wsf',
  'wsh',
  'hta',
  'html',
  'htm',
  'xhtml',
  'shtml',
  'mht',
  'mhtml',
  'svg',
  'xml',
  'xsl',
  'url',
  'lnk',
  'inf',
  'reg',
  'scf',
  'sh',
  'bash',
  'zsh',
  'csh',
  'ksh',
  'command',
  'py',
  'pyw',
  'pl',
  'rb',
  'php',
  'jar',
  'msi',
  'msh',
  'applescript',
  'desktop',
  'action',
  'workflow',
]);

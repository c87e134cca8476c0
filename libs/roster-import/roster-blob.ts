/** Where an import's uploaded export is stored, and the AAD that binds the encrypted blob to its import. */
export function rosterBlobKey(districtId: string, importId: string): string {
  return `roster-imports/${districtId}/${importId}.hrb`;
}

export function rosterBlobAad(importId: string): string {
  return `roster-import:${importId}`;
}

/**
 * Where an attachment's encrypted blob lives and what it is bound to. The AAD names the attachment,
 * so a blob copied under another attachment's key fails to decrypt instead of serving the wrong file.
 */
export function attachmentBlobKey(districtId: string, attachmentId: string): string {
  return `attachments/${districtId}/${attachmentId}.hrb`;
}

export function attachmentAad(attachmentId: string): string {
  return `attachment:${attachmentId}`;
}

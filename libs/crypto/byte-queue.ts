/** Collects incoming stream chunks and hands them out in exact sizes without re-copying on every write. */
export class ByteQueue {
  private chunks: Buffer[] = [];
  private queued = 0;

  get length(): number {
    return this.queued;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.queued += chunk.length;
  }

  /** Removes and returns the first `size` bytes; `size` must not exceed {@link length}. */
  take(size: number): Buffer {
    if (size > this.queued) throw new RangeError(`cannot take ${size} of ${this.queued} queued bytes`);
    const parts: Buffer[] = [];
    let missing = size;
    while (missing > 0) {
      const head = this.chunks[0] as Buffer;
      if (head.length <= missing) {
        parts.push(head);
        this.chunks.shift();
        missing -= head.length;
      } else {
        parts.push(head.subarray(0, missing));
        this.chunks[0] = head.subarray(missing);
        missing = 0;
      }
    }
    this.queued -= size;
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, size);
  }

  takeAll(): Buffer {
    return this.take(this.queued);
  }
}

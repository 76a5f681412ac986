/**
 * Sizes of cached files in least-recently-used order, with a byte budget: `evict` names the files to
 * delete (oldest first, never those the current request needs) until the rest fit.
 */
export class LruFiles {
  /** Insertion order of a Map is the use order: a touched key is moved to the end. */
  private readonly sizes = new Map<string, number>();
  private total = 0;

  constructor(readonly maxBytes: number) {}

  get bytes(): number {
    return this.total;
  }

  has(key: string): boolean {
    return this.sizes.has(key);
  }

  /** Marks a cached key as just used; false when it is not cached. */
  touch(key: string): boolean {
    const size = this.sizes.get(key);
    if (size === undefined) return false;
    this.sizes.delete(key);
    this.sizes.set(key, size);
    return true;
  }

  add(key: string, bytes: number): void {
    this.total -= this.sizes.get(key) ?? 0;
    this.sizes.delete(key);
    this.sizes.set(key, bytes);
    this.total += bytes;
  }

  evict(keep: ReadonlySet<string>): string[] {
    const out: string[] = [];
    for (const [key, size] of this.sizes) {
      if (this.total <= this.maxBytes) break;
      if (keep.has(key)) continue;
      this.sizes.delete(key);
      this.total -= size;
      out.push(key);
    }
    return out;
  }
}

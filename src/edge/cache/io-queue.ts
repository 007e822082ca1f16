/**
 * File work in the background, a few jobs at a time. Node runs file system calls on its thread
 * pool (4 threads by default), which also serves the disk tier's hits, DNS lookups of origins
 * and compression: a directory purge of 100,000 files, or a burst of evictions to disk, queued
 * there all at once would make every one of those wait behind it.
 */
export class IoQueue {
  private readonly waiting: (() => void)[] = [];
  private head = 0;
  private running = 0;

  constructor(private readonly concurrency: number) {}

  /** Jobs waiting or running. */
  get size(): number {
    return this.waiting.length - this.head + this.running;
  }

  /** Runs `job` once fewer than `concurrency` jobs run; settles as it does. */
  run<T>(job: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push(() => {
        this.running++;
        job()
          .then(resolve, reject)
          .finally(() => {
            this.running--;
            this.next();
          });
      });
      this.next();
    });
  }

  private next(): void {
    while (this.running < this.concurrency && this.head < this.waiting.length) {
      const start = this.waiting[this.head]!;
      this.waiting[this.head++] = undefined as never;
      if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting.splice(0, this.head);
        this.head = 0;
      }
      start();
    }
  }
}

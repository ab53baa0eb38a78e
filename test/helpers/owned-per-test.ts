import { afterEach } from 'vitest';

/** A server to close or a temp folder to remove. */
interface Disposable {
  close?(): unknown;
  cleanup?(): unknown;
}

/**
 * What a test starts or creates (sandboxes, servers, temp repositories), closed or removed after
 * the test, newest first, however many it made: call once at the top of a test file (it registers
 * the afterEach) and pass each resource through the function it returns.
 */
export function ownedPerTest(): <T extends Disposable>(resource: T) => T {
  const owned: Disposable[] = [];
  afterEach(async () => {
    for (const r of owned.splice(0).reverse()) await (r.close ? r.close() : r.cleanup?.());
  });
  return (resource) => {
    owned.push(resource);
    return resource;
  };
}

/**
 * Loads an optional peer dependency of `spire-mesh/testing` when a check first needs it, so the
 * rest of the entry (and the main one) works without it, and a missing one says what to install.
 */
export function optionalPeer<T = unknown>(id: string): T {
  try {
    return require(id) as T;
  } catch (err) {
    const name = id.startsWith('@') ? id.split('/').slice(0, 2).join('/') : id.split('/')[0];
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && String((err as Error).message).includes(name)) {
      throw new Error(`spire-mesh/testing: schemaProblems needs the package '${name}' (an optional peer dependency): npm install --save-dev ${name}`);
    }
    throw err;
  }
}

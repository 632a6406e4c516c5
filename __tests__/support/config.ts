import { ConfigError, resolveMeshConfig } from '../../lib/config/load';

/** The problems `resolveMeshConfig` reports for `overrides`, one line each; empty when it is valid. */
export function configProblems(overrides: unknown): readonly string[] {
  try {
    resolveMeshConfig(overrides);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

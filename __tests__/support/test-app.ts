import { App, Chart } from 'cdk8s';

/** Where the test Apps and meshes would write, were they synthesized: never, as tests read `toJson()`. */
export const NEVER_WRITTEN = '/nonexistent/never-written';

/**
 * An App for tests of constructs, never synthesized to disk. Unlike cdk8s' `Testing.app()`,
 * which makes a temporary directory for every App and never removes it.
 */
export function testApp(): App {
  return new App({ outdir: NEVER_WRITTEN });
}

/** A chart in an App of its own (see testApp), for tests of one construct. */
export function testChart(id = 'test'): Chart {
  return new Chart(testApp(), id);
}

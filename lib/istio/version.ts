import { checkReleaseVersion, ValidationError } from '../validation';

/**
 * The Istio minor this project is written against: its CRDs (`crds/`, `imports/`), the `spire`
 * injection template, the IstioOperator and Helm values models and their reference files
 * (`__tests__/istio/reference/`) are all Istio 1.30's. Moving on is a re-vendoring, not a
 * config change (README, "Supported versions").
 */
export const SUPPORTED_ISTIO_MINOR = '1.30';

/** The pinned Istio release: `istio.version`'s default, a patch of {@link SUPPORTED_ISTIO_MINOR}. */
export const ISTIO_VERSION = '1.30.3';

/**
 * An Istio release the vendored models fit: a released `X.Y.Z` of {@link SUPPORTED_ISTIO_MINOR}.
 * One rule for the config loader and the constructs that take a version.
 */
export function checkIstioVersion(field: string, value: string): string {
  checkReleaseVersion(field, value);
  if (!value.startsWith(`${SUPPORTED_ISTIO_MINOR}.`)) {
    throw new ValidationError(
      field,
      value,
      `must be a patch release of Istio ${SUPPORTED_ISTIO_MINOR} (${SUPPORTED_ISTIO_MINOR}.x): the CRDs, the injection template and the IstioOperator and Helm values models are ${SUPPORTED_ISTIO_MINOR}'s (README, "Supported versions": how a new minor is brought in)`,
    );
  }
  return value;
}

import { checkImage, ValidationError } from '../validation';

/**
 * What the registration Job may run, and the one rule about its images: kept apart from the
 * construct so the config loader can check images without loading cdk8s. docs/registration.md
 * ("Images") states each image's contents with the upstream build file it comes from.
 */

/**
 * The BusyBox applets the Job links into its tools directory, all the script calls besides
 * kubectl and jq (and `cp`, which the jq init container borrows: its image is `/jq` on
 * scratch). The script's tests run it with a PATH holding exactly these links.
 */
export const REGISTRATION_TOOLS = ['cat', 'cp', 'mktemp', 'rm', 'sh', 'sleep', 'timeout'] as const;

/**
 * Refuses a BusyBox image that is not one of the official image's static variants. Only the
 * `-musl` and `-uclibc` builds link BusyBox statically; the plain tags (`1.37.0`, `latest`) are
 * the glibc build, whose binary copied into the distroless kubectl container cannot start. A
 * digest alone hides the variant, so the tag must name it (`busybox:1.37.0-musl@sha256:…`).
 */
export function checkStaticBusyboxImage(field: string, value: string): string {
  checkImage(field, value);
  const tag = /:([\w][\w.-]{0,127})(?:@|$)/.exec(value.slice(value.lastIndexOf('/')))?.[1];
  if (!tag || !/-(musl|uclibc)$/.test(tag)) {
    throw new ValidationError(
      field,
      value,
      "must be a static BusyBox build, whose tag ends in '-musl' or '-uclibc' (e.g. docker.io/library/busybox:1.37.0-musl): " +
        'the plain tags are glibc-linked and do not run in the distroless kubectl container',
    );
  }
  return value;
}
